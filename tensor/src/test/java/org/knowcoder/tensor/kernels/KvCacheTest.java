package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvCacheTest {
    private static final int LAYERS = 2, HEADS = 2, HEAD_DIM = 4, POSITIONS = 40;
    private static final int KV_DIM = HEADS * HEAD_DIM;

    /** A session holds a cache per sentence it may have in flight; one that no sentence used holds no arrays. */
    @Test
    void aLayerTakesMemoryAtItsFirstWrite() {
        KvCache cache = new KvCache(LAYERS, HEADS, HEAD_DIM, POSITIONS);
        assertNull(cache.keys(0));
        assertNull(cache.values(1));
        cache.store(1, 0, row(1), 0, row(2), 0);
        assertNull(cache.keys(0));
        assertNotNull(cache.keys(1));
        assertNotNull(cache.values(1));
    }

    /** Copying a prefix from a cache with an unwritten layer copies what there is and allocates nothing for the rest. */
    @Test
    void aPrefixCopiesTheLayersItsSourceHolds() {
        KvCache source = new KvCache(LAYERS, HEADS, HEAD_DIM, POSITIONS);
        for (int pos = 0; pos < 20; pos++) source.store(0, pos, row(pos), 0, row(100 + pos), 0);
        KvCache copy = new KvCache(LAYERS, HEADS, HEAD_DIM, POSITIONS);
        copy.copyPrefix(source, 20);
        assertNull(copy.keys(1));
        float[] expectedValues = new float[20 * KV_DIM], copiedValues = new float[20 * KV_DIM];
        System.arraycopy(source.values(0), 0, expectedValues, 0, expectedValues.length);
        System.arraycopy(copy.values(0), 0, copiedValues, 0, copiedValues.length);
        assertArrayEquals(expectedValues, copiedValues);
        for (int h = 0; h < HEADS; h++) {
            for (int i = 0; i < HEAD_DIM; i++) {
                for (int pos = 0; pos < 20; pos++) {
                    int at = pos / Simd.FL * KV_DIM * Simd.FL + h * HEAD_DIM * Simd.FL + i * Simd.FL + pos % Simd.FL;
                    assertEquals(source.keys(0)[at], copy.keys(0)[at]);
                }
            }
        }
    }

    /**
     * The arrays hold what was written, rounded up to {@link KvCache#FIRST_TILES} tiles, and grow by doubling up to
     * the context, keeping every position written (keys read back through their tiles, values as stored).
     */
    @Test
    void theArraysGrowWithThePositionsUpToTheContext() {
        int context = 40 * Simd.FL + 3;
        KvCache cache = new KvCache(LAYERS, HEADS, HEAD_DIM, context);
        cache.store(0, 0, row(0), 0, row(1000), 0);
        assertEquals(KvCache.FIRST_TILES * Simd.FL * KV_DIM, cache.values(0).length);
        for (int pos = 1; pos < context; pos++) cache.store(pos % LAYERS, pos, row(pos), 0, row(1000 + pos), 0);
        assertEquals(41 * Simd.FL * KV_DIM, cache.values(0).length, "the context's tiles, no more");
        float[] k = new float[KV_DIM], v = new float[KV_DIM];
        for (int pos = 0; pos < context; pos++) {
            cache.readRun(pos % LAYERS, pos, 1, k, 0, v, 0);
            assertArrayEquals(row(pos), k, "key of position " + pos);
            assertArrayEquals(row(1000 + pos), v, "value of position " + pos);
        }
        assertThrows(IllegalArgumentException.class, () -> cache.store(0, 41 * Simd.FL, row(0), 0, row(0), 0), "past the padded context");
    }

    private static float[] row(int seed) {
        float[] r = new float[KV_DIM];
        for (int i = 0; i < KV_DIM; i++) r[i] = seed * 31 + i;
        return r;
    }
}

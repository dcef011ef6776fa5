package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import org.knowcoder.parallel.WorkerPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.testing.Approx.assertClose;
import static org.knowcoder.tensor.TestTensors.randomFloats;

class AttentionTest {

    /** Causal attention in double: query t at position start + t sees cache positions [0, start + t]. */
    static double[] reference(float[] q, int tokens, int start, float[] keys, float[] values,
                              int nHeads, int nKvHeads, int headDim) {
        int dim = nHeads * headDim, kvDim = nKvHeads * headDim;
        double[] out = new double[tokens * dim];
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < nHeads; h++) {
                int kvHead = h / (nHeads / nKvHeads);
                int positions = start + t + 1;
                double[] weights = new double[positions];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int p = 0; p < positions; p++) {
                    double s = 0;
                    for (int i = 0; i < headDim; i++) s += (double) q[t * dim + h * headDim + i] * keys[p * kvDim + kvHead * headDim + i];
                    weights[p] = s / Math.sqrt(headDim);
                    max = Math.max(max, weights[p]);
                }
                for (int p = 0; p < positions; p++) sum += weights[p] = Math.exp(weights[p] - max);
                for (int p = 0; p < positions; p++) {
                    for (int i = 0; i < headDim; i++) {
                        out[t * dim + h * headDim + i] += weights[p] / sum * values[p * kvDim + kvHead * headDim + i];
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} heads / {1} kv heads, headDim {2}, {3} threads")
    @CsvSource({
            "8, 4, 16, 1", "8, 4, 16, 2",   // grouped-query
            "8, 4, 33, 1", "8, 4, 33, 2",
            "6, 2, 17, 2",
            "4, 4, 7, 1", "4, 4, 7, 2",     // multi-head
            "4, 4, 64, 2",
            "4, 1, 31, 2",                  // multi-query
            "1, 1, 1, 1"})
    void matchesScalarReference(int nHeads, int nKvHeads, int headDim, int threads) {
        // 70 queries: blocks of four whose positions span several 4-vector stretches of keys, and a tail of two
        int[][] startsAndTokens = {{0, 1}, {0, 5}, {6, 1}, {9, 4}, {3, 70}};
        int maxPositions = 80;
        try (WorkerPool pool = new WorkerPool(threads)) {
            Attention attention = new Attention(pool, nHeads, nKvHeads, headDim, maxPositions);
            Random rnd = new Random(nHeads * 1000 + headDim);
            int dim = nHeads * headDim, kvDim = nKvHeads * headDim;
            for (int[] st : startsAndTokens) {
                int start = st[0], tokens = st[1], filled = start + tokens;
                float[] q = scaled(randomFloats(rnd, tokens * dim), 2);
                float[] keys = scaled(randomFloats(rnd, maxPositions * kvDim), 2);
                float[] values = randomFloats(rnd, maxPositions * kvDim);
                KvCache cache = new KvCache(2, nKvHeads, headDim, maxPositions);
                // the first positions one by one, the rest as one run, as decoding and prefill store them
                int single = Math.min(filled, 5);
                for (int p = 0; p < single; p++) cache.store(1, p, keys, p * kvDim, values, p * kvDim);
                if (filled > single) cache.storeRun(1, single, filled - single, keys, single * kvDim, values, single * kvDim);
                float[] out = new float[tokens * dim];
                Arrays.fill(out, Float.NaN);
                attention.apply(q, 0, tokens, start, cache, 1, out);
                double[] expected = reference(q, tokens, start, keys, values, nHeads, nKvHeads, headDim);
                for (int i = 0; i < expected.length; i++) {
                    assertClose(expected[i], out[i], 1, 0, 1e-5,
                            "start " + start + ", " + tokens + " tokens: token " + i / dim + " head " + i % dim / headDim + " elem " + i % headDim);
                }
                // the same queries as rows [2, 2 + tokens) of larger arrays (a batch's rows): the same bits
                float[] rows = new float[(tokens + 2) * dim], rowsOut = new float[(tokens + 2) * dim];
                System.arraycopy(q, 0, rows, 2 * dim, q.length);
                attention.apply(rows, 2, tokens, start, cache, 1, rowsOut);
                assertArrayEquals(out, Arrays.copyOfRange(rowsOut, 2 * dim, rowsOut.length), "rows from 2");
            }
        }
    }

    @ParameterizedTest(name = "{0} heads / {1} kv heads, headDim {2}, {3} threads")
    @CsvSource({"8, 4, 16, 2", "6, 6, 32, 2", "4, 4, 7, 1", "4, 1, 33, 2", "2, 2, 64, 1"})
    void rowsOverCopiedPrefixesGetTheBitsOfOneByOne(int nHeads, int nKvHeads, int headDim, int threads) {
        int maxPositions = 120, prefix = 70, dim = nHeads * headDim, kvDim = nKvHeads * headDim;
        Random rnd = new Random(headDim * 31 + nHeads);
        try (WorkerPool pool = new WorkerPool(threads)) {
            Attention attention = new Attention(pool, nHeads, nKvHeads, headDim, maxPositions);
            KvCache source = new KvCache(1, nKvHeads, headDim, maxPositions);
            fill(source, 0, prefix, rnd, kvDim);
            // copies of the prefix, whole or in part, each going on with positions of its own; a copy
            // of a copy (names the first source); a cache of its own holding two rows (a prompt's tail)
            int[] copied = {prefix, prefix, prefix - 3, 20, prefix, 5, 40};
            // (sorted by share, the first block of four has own positions side by side past a whole tile)
            int[] rowsAt = {prefix + 24, prefix + 30, prefix + 15, 60, prefix + 40, 9, 100};
            KvCache[] caches = new KvCache[copied.length + 3];
            int[] positions = new int[caches.length];
            for (int i = 0; i < copied.length; i++) {
                caches[i] = new KvCache(1, nKvHeads, headDim, maxPositions);
                caches[i].copyPrefix(i == copied.length - 1 ? caches[0] : source, copied[i]);
                fill(caches[i], copied[i], rowsAt[i] + 1, rnd, kvDim);
                positions[i] = rowsAt[i];
            }
            assertSame(source, caches[copied.length - 1].source(), "a copy of a copy names the first source");
            KvCache own = new KvCache(1, nKvHeads, headDim, maxPositions);
            fill(own, 0, 50, rnd, kvDim);
            caches[copied.length] = own;
            positions[copied.length] = 48;
            caches[copied.length + 1] = own;
            positions[copied.length + 1] = 49;
            caches[copied.length + 2] = source;
            positions[copied.length + 2] = 40;
            float[] q = scaled(randomFloats(rnd, caches.length * dim), 2);
            assertRowsAsOneByOne(attention, q, positions, caches, dim);
            // the source rewritten from position 30 on: the copies sharing more than 30 positions take
            // the first of those sharing most (caches[0], all 70) as their source, the others keep it
            fill(source, 30, prefix, rnd, kvDim);
            assertNull(caches[0].source());
            assertSame(caches[0], caches[2].source());
            assertEquals(prefix - 3, caches[2].sharedLength());
            assertSame(source, caches[3].source());
            assertEquals(20, caches[3].sharedLength());
            assertRowsAsOneByOne(attention, q, positions, caches, dim);
            fill(source, 0, prefix, rnd, kvDim);
            assertNull(caches[3].source(), "rewritten from 0: no cache shares the source's positions");
            assertSame(caches[3], caches[5].source());
            assertRowsAsOneByOne(attention, q, positions, caches, dim);
            // a copy writing within what it shares shares no more than the positions before
            fill(caches[2], 50, 52, rnd, kvDim);
            assertEquals(50, caches[2].sharedLength());
            positions[2] = 51;
            assertRowsAsOneByOne(attention, q, positions, caches, dim);
        }
    }

    private static void assertRowsAsOneByOne(Attention attention, float[] q, int[] positions, KvCache[] caches, int dim) {
        float[] rows = new float[q.length];
        Arrays.fill(rows, Float.NaN);
        attention.applyRows(q, caches.length, positions, caches, 0, rows);
        for (int r = 0; r < caches.length; r++) {
            float[] one = new float[dim];
            attention.apply(Arrays.copyOfRange(q, r * dim, (r + 1) * dim), 0, 1, positions[r], caches[r], 0, one);
            assertArrayEquals(one, Arrays.copyOfRange(rows, r * dim, (r + 1) * dim), "row " + r + " at position " + positions[r]);
        }
    }

    /** Stores random keys and values at positions [from, to) of layer 0. */
    private static void fill(KvCache cache, int from, int to, Random rnd, int kvDim) {
        for (int p = from; p < to; p++) cache.store(0, p, scaled(randomFloats(rnd, kvDim), 2), 0, randomFloats(rnd, kvDim), 0);
    }

    @Test
    void rejectsHeadsThatDoNotSplitIntoKvGroups() {
        try (WorkerPool pool = new WorkerPool(1)) {
            assertThrows(IllegalArgumentException.class, () -> new Attention(pool, 6, 4, 8, 4));
        }
    }

    private static float[] scaled(float[] a, float factor) {
        for (int i = 0; i < a.length; i++) a[i] *= factor;
        return a;
    }
}

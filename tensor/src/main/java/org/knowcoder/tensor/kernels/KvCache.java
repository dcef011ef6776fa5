package org.knowcoder.tensor.kernels;

import org.knowcoder.io.BadInputException;

/**
 * The keys and values of every position seen so far, per layer. Keys are stored transposed in
 * tiles of one vector of positions, [kvHead][position / FL][headDim][position % FL] with the
 * position axis padded to whole vectors, so that attention scores for a vector of positions are
 * plain vector multiply-adds (no per-position horizontal sums), and a head's keys are read as
 * one contiguous stretch. (Transposed whole rows, [kvHead][headDim][position], put a head's 64
 * components 4 KB apart: 64 interleaved streams to read, and a decoded position's 768 key writes
 * on 768 cache lines.) Values stay position-major, [position][kvHead * headDim], which is what the
 * weighted sum reads.
 */
public final class KvCache {
    private final int nKvHeads;
    private final int headDim;
    /** Floats of one KV head's keys: headDim times the positions, padded to whole vectors. */
    private final int headKeys;
    private final float[][] keys;
    private final float[][] values;

    /**
     * Throws BadInputException, before allocating anything, when the cache cannot exist: a
     * layer's keys or values would not fit one Java array, or the whole cache not the heap (a
     * header with a wrong seq_len, or a heap too small for a real one).
     */
    public KvCache(int layers, int nKvHeads, int headDim, int maxPositions) {
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        long padded = ((long) maxPositions + Simd.FL - 1) / Simd.FL * Simd.FL;
        long perLayer = nKvHeads * headDim * padded; // keys, padded; values are no larger
        double bytes = 8.0 * layers * perLayer;
        long heap = Runtime.getRuntime().maxMemory();
        if (perLayer > Integer.MAX_VALUE - 8 || bytes > heap) {
            throw new BadInputException(String.format("a context of %d positions needs a %.0f MiB KV cache, more than"
                    + " the %d MiB heap or one Java array per layer holds (check seq_len or max_position_embeddings, or raise -Xmx)",
                    maxPositions, bytes / (1 << 20), heap >> 20));
        }
        this.headKeys = (int) (headDim * padded);
        this.keys = new float[layers][(int) perLayer];
        this.values = new float[layers][maxPositions * nKvHeads * headDim];
    }

    /** Stores the key k[ko ..] and value v[vo ..] (nKvHeads * headDim each) of position {@code pos}. */
    public void store(int layer, int pos, float[] k, int ko, float[] v, int vo) {
        storeRun(layer, pos, 1, k, ko, v, vo);
    }

    /**
     * Stores the keys and values of the n consecutive positions [start, start + n): rows k[ko + t * kvDim ..]
     * and v[vo + t * kvDim ..].
     */
    public void storeRun(int layer, int start, int n, float[] k, int ko, float[] v, int vo) {
        float[] kt = keys[layer];
        int kvDim = nKvHeads * headDim;
        for (int t = 0; t < n; t++) {
            int pos = start + t, at = keyOffset(pos), src = ko + t * kvDim;
            for (int h = 0; h < nKvHeads; h++, at += headKeys) {
                for (int i = 0; i < headDim; i++) kt[at + i * Simd.FL] = k[src++];
            }
        }
        System.arraycopy(v, vo, values[layer], start * kvDim, n * kvDim);
    }

    /** Where component 0 of position {@code pos}'s key sits in KV head 0's keys (head h's: plus h * headKeys). */
    private int keyOffset(int pos) {
        return pos / Simd.FL * headDim * Simd.FL + pos % Simd.FL;
    }

    /** Copies positions [0, length) of every layer from {@code from}, a cache of the same shape (a shared prompt prefix). */
    public void copyPrefix(KvCache from, int length) {
        if (from.headKeys != headKeys || from.keys.length != keys.length || from.nKvHeads != nKvHeads || from.headDim != headDim) {
            throw new IllegalArgumentException("KV caches of different shapes");
        }
        int kvDim = nKvHeads * headDim;
        int tiles = (length + Simd.FL - 1) / Simd.FL * Simd.FL * headDim; // whole tiles: later positions in the last one are never read
        for (int l = 0; l < keys.length; l++) {
            for (int h = 0; h < nKvHeads; h++) System.arraycopy(from.keys[l], h * headKeys, keys[l], h * headKeys, tiles);
            System.arraycopy(from.values[l], 0, values[l], 0, length * kvDim);
        }
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Floats of one KV head's keys: head h's start at h * headKeys(). */
    int headKeys() {
        return headKeys;
    }
}

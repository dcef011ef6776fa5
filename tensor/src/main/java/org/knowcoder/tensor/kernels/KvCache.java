package org.knowcoder.tensor.kernels;

/**
 * The keys and values of every position seen so far, per layer. Keys are stored transposed,
 * [kvHead][headDim][position] with the position axis padded to whole vectors, so that attention
 * scores for a run of positions are plain vector multiply-adds (no per-position horizontal sums);
 * values stay position-major, [position][kvHead * headDim], which is what the weighted sum reads.
 */
public final class KvCache {
    private final int nKvHeads;
    private final int headDim;
    private final int maxPositions;
    private final int stride;
    private final float[][] keys;
    private final float[][] values;

    public KvCache(int layers, int nKvHeads, int headDim, int maxPositions) {
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        this.stride = (maxPositions + Simd.FL - 1) / Simd.FL * Simd.FL;
        long perLayer = (long) nKvHeads * headDim * stride;
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + maxPositions + " positions x " + nKvHeads * headDim
                    + " values does not fit a Java array per layer");
        }
        this.keys = new float[layers][(int) perLayer];
        this.values = new float[layers][maxPositions * nKvHeads * headDim];
    }

    /** Bytes of heap this cache needs for the given shape (keys padded as stored). */
    public static long bytes(int layers, int nKvHeads, int headDim, int maxPositions) {
        long stride = (maxPositions + Simd.FL - 1) / Simd.FL * Simd.FL;
        return 4L * layers * nKvHeads * headDim * (stride + maxPositions);
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** Stores the key k[ko ..] and value v[vo ..] (nKvHeads * headDim each) of position {@code pos}. */
    public void store(int layer, int pos, float[] k, int ko, float[] v, int vo) {
        float[] kt = keys[layer];
        int kvDim = nKvHeads * headDim;
        for (int i = 0; i < kvDim; i++) kt[i * stride + pos] = k[ko + i];
        System.arraycopy(v, vo, values[layer], pos * kvDim, kvDim);
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Distance between consecutive key components of one position. */
    int stride() {
        return stride;
    }
}

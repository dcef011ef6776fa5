package org.knowcoder.tensor.kernels;

import org.knowcoder.tensor.WorkerPool;

/**
 * Causal multi-head attention of T queries over a key/value cache, with grouped-query heads
 * (each KV head serves nHeads / nKvHeads query heads). Query t sits at position start + t and sees
 * cache positions [0, start + t]. Work is split across (query, head) pairs.
 *
 * <p>Cache layout: position-major, [position, nKvHeads * headDim]. A reusable job like {@link MatVec}.
 */
public final class Attention implements WorkerPool.RangeTask {
    private final WorkerPool pool;
    private final int nHeads;
    private final int nKvHeads;
    private final int headDim;
    private final float[][] scores;
    private final float scale;
    private float[] q;
    private float[] keys;
    private float[] values;
    private float[] out;
    private int start;

    public Attention(WorkerPool pool, int nHeads, int nKvHeads, int headDim, int maxPositions) {
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(nHeads + " query heads do not split into " + nKvHeads + " KV head groups");
        }
        this.pool = pool;
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.scores = new float[pool.threads()][maxPositions];
    }

    /** q and out are [tokens, nHeads * headDim]; keys and values are one layer's cache. */
    public void apply(float[] q, int tokens, int start, float[] keys, float[] values, float[] out) {
        this.q = q;
        this.keys = keys;
        this.values = values;
        this.out = out;
        this.start = start;
        pool.parallelFor(tokens * nHeads, this);
        this.q = null;
        this.keys = null;
        this.values = null;
        this.out = null;
    }

    @Override
    public void run(int worker, int from, int to) {
        float[] att = scores[worker];
        int dim = nHeads * headDim;
        int kvDim = nKvHeads * headDim;
        int group = nHeads / nKvHeads;
        for (int item = from; item < to; item++) {
            int t = item / nHeads, h = item % nHeads;
            int qo = t * dim + h * headDim;
            int kvo = (h / group) * headDim;
            int positions = start + t + 1;
            for (int p = 0; p < positions; p++) {
                att[p] = VectorMath.dot(q, qo, keys, p * kvDim + kvo, headDim) * scale;
            }
            Softmax.apply(att, 0, positions);
            java.util.Arrays.fill(out, qo, qo + headDim, 0f);
            for (int p = 0; p < positions; p++) VectorMath.axpy(att[p], values, p * kvDim + kvo, out, qo, headDim);
        }
    }
}

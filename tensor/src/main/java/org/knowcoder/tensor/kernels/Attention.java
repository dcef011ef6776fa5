package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.tensor.WorkerPool;

import java.util.Arrays;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * Causal multi-head attention of T queries over a {@link KvCache}, with grouped-query heads (each
 * KV head serves nHeads / nKvHeads query heads). Query t sits at position start + t and sees cache
 * positions [0, start + t]. Work is split across (head, query) pairs.
 *
 * <p>Scores are computed a vector of positions at a time from the transposed keys; the weighted sum
 * keeps four vectors of the output in registers while it walks the positions. A reusable job like
 * {@link MatVec}: per-worker score buffers, nothing allocated per call.
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
    private int stride;
    private float[] out;
    private int start;
    private int tokens;

    public Attention(WorkerPool pool, int nHeads, int nKvHeads, int headDim, int maxPositions) {
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(nHeads + " query heads do not split into " + nKvHeads + " KV head groups");
        }
        this.pool = pool;
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.scores = new float[pool.threads()][(maxPositions + FL - 1) / FL * FL];
    }

    /** q and out are [tokens, nHeads * headDim]; the cache holds positions [0, start + tokens) of {@code layer}. */
    public void apply(float[] q, int tokens, int start, KvCache cache, int layer, float[] out) {
        this.q = q;
        this.keys = cache.keys(layer);
        this.values = cache.values(layer);
        this.stride = cache.stride();
        this.out = out;
        this.start = start;
        this.tokens = tokens;
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
        int group = nHeads / nKvHeads;
        for (int item = from; item < to; item++) {
            // head-major: each worker's block holds every query of some heads, early (cheap) and late
            // (expensive) positions alike, so causal attention's uneven work splits evenly
            int t = item % tokens, h = item / tokens;
            int qo = t * dim + h * headDim;
            int kvHead = h / group;
            int positions = start + t + 1;
            scores(att, qo, kvHead * headDim * stride, positions);
            Softmax.apply(att, 0, positions);
            weightedSum(att, positions, kvHead * headDim, qo);
        }
    }

    /**
     * att[p] = q . key[p] / sqrt(headDim) for p < positions, rounded up to whole vectors (the cache is
     * padded). Four vectors of positions at a time: four independent multiply-add chains hide the
     * latency that one chain over headDim would wait on.
     */
    private void scores(float[] att, int qo, int keyBase, int positions) {
        int end = (positions + FL - 1) / FL * FL;
        int p = 0;
        for (; p + 4 * FL <= end; p += 4 * FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p; i < headDim; i++, row += stride) {
                FloatVector qi = FloatVector.broadcast(F, q[qo + i]);
                a0 = FloatVector.fromArray(F, keys, row).fma(qi, a0);
                a1 = FloatVector.fromArray(F, keys, row + FL).fma(qi, a1);
                a2 = FloatVector.fromArray(F, keys, row + 2 * FL).fma(qi, a2);
                a3 = FloatVector.fromArray(F, keys, row + 3 * FL).fma(qi, a3);
            }
            a0.mul(scale).intoArray(att, p);
            a1.mul(scale).intoArray(att, p + FL);
            a2.mul(scale).intoArray(att, p + 2 * FL);
            a3.mul(scale).intoArray(att, p + 3 * FL);
        }
        for (; p < end; p += FL) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p; i < headDim; i++, row += stride) {
                acc = FloatVector.fromArray(F, keys, row).fma(FloatVector.broadcast(F, q[qo + i]), acc);
            }
            acc.mul(scale).intoArray(att, p);
        }
    }

    /** out[qo ..] = sum over positions of att[p] * value[p], four output vectors at a time. */
    private void weightedSum(float[] att, int positions, int vo, int qo) {
        int kvDim = nKvHeads * headDim;
        int c = 0;
        for (; c + 4 * FL <= headDim; c += 4 * FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int p = 0, row = vo + c; p < positions; p++, row += kvDim) {
                FloatVector w = FloatVector.broadcast(F, att[p]);
                a0 = FloatVector.fromArray(F, values, row).fma(w, a0);
                a1 = FloatVector.fromArray(F, values, row + FL).fma(w, a1);
                a2 = FloatVector.fromArray(F, values, row + 2 * FL).fma(w, a2);
                a3 = FloatVector.fromArray(F, values, row + 3 * FL).fma(w, a3);
            }
            a0.intoArray(out, qo + c);
            a1.intoArray(out, qo + c + FL);
            a2.intoArray(out, qo + c + 2 * FL);
            a3.intoArray(out, qo + c + 3 * FL);
        }
        for (; c + FL <= headDim; c += FL) {
            FloatVector a = FloatVector.zero(F);
            for (int p = 0, row = vo + c; p < positions; p++, row += kvDim) {
                a = FloatVector.fromArray(F, values, row).fma(FloatVector.broadcast(F, att[p]), a);
            }
            a.intoArray(out, qo + c);
        }
        if (c < headDim) {
            Arrays.fill(out, qo + c, qo + headDim, 0f);
            for (int p = 0; p < positions; p++) {
                for (int i = c; i < headDim; i++) out[qo + i] += att[p] * values[p * kvDim + vo + i];
            }
        }
    }
}

package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.parallel.WorkerPool;

import java.util.Arrays;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * Causal multi-head attention of T queries over a {@link KvCache}, with grouped-query heads (each
 * KV head serves nHeads / nKvHeads query heads). Query t sits at position start + t and sees cache
 * positions [0, start + t]. Work is split across (head, block of {@value #QUERIES} consecutive
 * queries) pairs; a block's queries are scored and summed together, sharing every key and value
 * they load (a prefill pass is as much load as multiply-add otherwise).
 *
 * <p>Scores are computed a vector of positions at a time from the transposed keys; the weighted sum
 * keeps four vectors of the output in registers while it walks the positions. A reusable job like
 * {@link MatVec}: per-worker score buffers, nothing allocated per call.
 */
public final class Attention implements WorkerPool.RangeTask {
    /** Consecutive queries of one head taken together: 4 x 4 vector accumulators fill the registers. */
    private static final int QUERIES = 4;

    private final WorkerPool pool;
    private final int nHeads;
    private final int nKvHeads;
    private final int headDim;
    /** Floats of one tile of keys, a vector of positions by headDim ({@link KvCache}). */
    private final int tile;
    private final float[][] scores;
    /** Padded length of one query's scores in a worker's buffer. */
    private final int span;
    private final float scale;
    private float[] q;
    private float[] keys;
    private float[] values;
    /** Floats of one KV head's keys in the cache ({@link KvCache#headKeys}). */
    private int headKeys;
    private float[] out;
    private int first;
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
        this.tile = headDim * FL;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.span = (maxPositions + FL - 1) / FL * FL;
        this.scores = new float[pool.threads()][QUERIES * span];
    }

    /**
     * Rows [first, first + tokens) of q and out, [rows, nHeads * headDim], at positions start..: the
     * cache holds positions [0, start + tokens) of {@code layer}.
     */
    public void apply(float[] q, int first, int tokens, int start, KvCache cache, int layer, float[] out) {
        this.q = q;
        this.keys = cache.keys(layer);
        this.values = cache.values(layer);
        this.headKeys = cache.headKeys();
        this.out = out;
        this.first = first;
        this.start = start;
        this.tokens = tokens;
        pool.parallelFor((tokens + QUERIES - 1) / QUERIES * nHeads, this);
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
        int blocks = (tokens + QUERIES - 1) / QUERIES;
        for (int item = from; item < to; item++) {
            // head-major: each worker's block holds every query of some heads, early (cheap) and late
            // (expensive) positions alike, so causal attention's uneven work splits evenly
            int b = item % blocks, h = item / blocks;
            int t0 = b * QUERIES;
            int kvHead = h / group;
            int qo = (first + t0) * dim + h * headDim;
            if (tokens - t0 < QUERIES) { // one by one: a pass's last few queries, or a decoding step's one
                for (int t = t0; t < tokens; t++, qo += dim) {
                    int positions = start + t + 1;
                    scores(att, qo, kvHead * headKeys, positions);
                    Softmax.apply(att, 0, positions);
                    weightedSum(att, positions, kvHead * headDim, qo);
                }
                continue;
            }
            // query j sees start + t0 + j + 1 positions; all four are scored over the last one's
            // span, and each query's weights past its own positions are zeroed, so the shared
            // weighted sum adds exact zeros for them
            int last = start + t0 + QUERIES;
            scores4(att, qo, dim, kvHead * headKeys, last);
            for (int j = 0; j < QUERIES; j++) {
                int positions = last - (QUERIES - 1) + j;
                Softmax.apply(att, j * span, positions);
                Arrays.fill(att, j * span + positions, j * span + last, 0f);
            }
            weightedSum4(att, last, kvHead * headDim, qo, dim);
        }
    }

    /** scores() for the four queries at q[qo], q[qo + dim], ..: query j's scores go to att[j * span ..]. */
    private void scores4(float[] att, int qo, int dim, int keyBase, int positions) {
        int end = (positions + FL - 1) / FL * FL;
        int p = 0;
        for (; p + 4 * FL <= end; p += 4 * FL) {
            FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
            FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
            FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
            FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p * headDim; i < headDim; i++, row += FL) {
                FloatVector k0 = FloatVector.fromArray(F, keys, row);
                FloatVector k1 = FloatVector.fromArray(F, keys, row + tile);
                FloatVector k2 = FloatVector.fromArray(F, keys, row + 2 * tile);
                FloatVector k3 = FloatVector.fromArray(F, keys, row + 3 * tile);
                FloatVector q0 = FloatVector.broadcast(F, q[qo + 0 * dim + i]);
                a00 = k0.fma(q0, a00);
                a01 = k1.fma(q0, a01);
                a02 = k2.fma(q0, a02);
                a03 = k3.fma(q0, a03);
                FloatVector q1 = FloatVector.broadcast(F, q[qo + 1 * dim + i]);
                a10 = k0.fma(q1, a10);
                a11 = k1.fma(q1, a11);
                a12 = k2.fma(q1, a12);
                a13 = k3.fma(q1, a13);
                FloatVector q2 = FloatVector.broadcast(F, q[qo + 2 * dim + i]);
                a20 = k0.fma(q2, a20);
                a21 = k1.fma(q2, a21);
                a22 = k2.fma(q2, a22);
                a23 = k3.fma(q2, a23);
                FloatVector q3 = FloatVector.broadcast(F, q[qo + 3 * dim + i]);
                a30 = k0.fma(q3, a30);
                a31 = k1.fma(q3, a31);
                a32 = k2.fma(q3, a32);
                a33 = k3.fma(q3, a33);
            }
            a00.mul(scale).intoArray(att, 0 * span + p + 0 * FL);
            a01.mul(scale).intoArray(att, 0 * span + p + 1 * FL);
            a02.mul(scale).intoArray(att, 0 * span + p + 2 * FL);
            a03.mul(scale).intoArray(att, 0 * span + p + 3 * FL);
            a10.mul(scale).intoArray(att, 1 * span + p + 0 * FL);
            a11.mul(scale).intoArray(att, 1 * span + p + 1 * FL);
            a12.mul(scale).intoArray(att, 1 * span + p + 2 * FL);
            a13.mul(scale).intoArray(att, 1 * span + p + 3 * FL);
            a20.mul(scale).intoArray(att, 2 * span + p + 0 * FL);
            a21.mul(scale).intoArray(att, 2 * span + p + 1 * FL);
            a22.mul(scale).intoArray(att, 2 * span + p + 2 * FL);
            a23.mul(scale).intoArray(att, 2 * span + p + 3 * FL);
            a30.mul(scale).intoArray(att, 3 * span + p + 0 * FL);
            a31.mul(scale).intoArray(att, 3 * span + p + 1 * FL);
            a32.mul(scale).intoArray(att, 3 * span + p + 2 * FL);
            a33.mul(scale).intoArray(att, 3 * span + p + 3 * FL);
        }
        for (; p < end; p += FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p * headDim; i < headDim; i++, row += FL) {
                FloatVector k = FloatVector.fromArray(F, keys, row);
                a0 = k.fma(FloatVector.broadcast(F, q[qo + i]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q[qo + dim + i]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q[qo + 2 * dim + i]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q[qo + 3 * dim + i]), a3);
            }
            a0.mul(scale).intoArray(att, p);
            a1.mul(scale).intoArray(att, span + p);
            a2.mul(scale).intoArray(att, 2 * span + p);
            a3.mul(scale).intoArray(att, 3 * span + p);
        }
    }

    /** weightedSum() for four queries: weights att[j * span ..], outputs out[qo + j * dim ..]. */
    private void weightedSum4(float[] att, int positions, int vo, int qo, int dim) {
        int kvDim = nKvHeads * headDim;
        int c = 0;
        for (; c + 4 * FL <= headDim; c += 4 * FL) {
            FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
            FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
            FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
            FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
            for (int p = 0, row = vo + c; p < positions; p++, row += kvDim) {
                FloatVector v0 = FloatVector.fromArray(F, values, row + 0 * FL);
                FloatVector v1 = FloatVector.fromArray(F, values, row + 1 * FL);
                FloatVector v2 = FloatVector.fromArray(F, values, row + 2 * FL);
                FloatVector v3 = FloatVector.fromArray(F, values, row + 3 * FL);
                FloatVector w0 = FloatVector.broadcast(F, att[0 * span + p]);
                a00 = v0.fma(w0, a00);
                a01 = v1.fma(w0, a01);
                a02 = v2.fma(w0, a02);
                a03 = v3.fma(w0, a03);
                FloatVector w1 = FloatVector.broadcast(F, att[1 * span + p]);
                a10 = v0.fma(w1, a10);
                a11 = v1.fma(w1, a11);
                a12 = v2.fma(w1, a12);
                a13 = v3.fma(w1, a13);
                FloatVector w2 = FloatVector.broadcast(F, att[2 * span + p]);
                a20 = v0.fma(w2, a20);
                a21 = v1.fma(w2, a21);
                a22 = v2.fma(w2, a22);
                a23 = v3.fma(w2, a23);
                FloatVector w3 = FloatVector.broadcast(F, att[3 * span + p]);
                a30 = v0.fma(w3, a30);
                a31 = v1.fma(w3, a31);
                a32 = v2.fma(w3, a32);
                a33 = v3.fma(w3, a33);
            }
            a00.intoArray(out, qo + 0 * dim + c + 0 * FL);
            a01.intoArray(out, qo + 0 * dim + c + 1 * FL);
            a02.intoArray(out, qo + 0 * dim + c + 2 * FL);
            a03.intoArray(out, qo + 0 * dim + c + 3 * FL);
            a10.intoArray(out, qo + 1 * dim + c + 0 * FL);
            a11.intoArray(out, qo + 1 * dim + c + 1 * FL);
            a12.intoArray(out, qo + 1 * dim + c + 2 * FL);
            a13.intoArray(out, qo + 1 * dim + c + 3 * FL);
            a20.intoArray(out, qo + 2 * dim + c + 0 * FL);
            a21.intoArray(out, qo + 2 * dim + c + 1 * FL);
            a22.intoArray(out, qo + 2 * dim + c + 2 * FL);
            a23.intoArray(out, qo + 2 * dim + c + 3 * FL);
            a30.intoArray(out, qo + 3 * dim + c + 0 * FL);
            a31.intoArray(out, qo + 3 * dim + c + 1 * FL);
            a32.intoArray(out, qo + 3 * dim + c + 2 * FL);
            a33.intoArray(out, qo + 3 * dim + c + 3 * FL);
        }
        for (; c + FL <= headDim; c += FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int p = 0, row = vo + c; p < positions; p++, row += kvDim) {
                FloatVector v = FloatVector.fromArray(F, values, row);
                a0 = v.fma(FloatVector.broadcast(F, att[p]), a0);
                a1 = v.fma(FloatVector.broadcast(F, att[span + p]), a1);
                a2 = v.fma(FloatVector.broadcast(F, att[2 * span + p]), a2);
                a3 = v.fma(FloatVector.broadcast(F, att[3 * span + p]), a3);
            }
            a0.intoArray(out, qo + c);
            a1.intoArray(out, qo + dim + c);
            a2.intoArray(out, qo + 2 * dim + c);
            a3.intoArray(out, qo + 3 * dim + c);
        }
        for (int j = 0; j < QUERIES && c < headDim; j++) {
            int o = qo + j * dim, w = j * span;
            Arrays.fill(out, o + c, o + headDim, 0f);
            for (int p = 0; p < positions; p++) {
                for (int i = c; i < headDim; i++) out[o + i] += att[w + p] * values[p * kvDim + vo + i];
            }
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
            for (int i = 0, row = keyBase + p * headDim; i < headDim; i++, row += FL) {
                FloatVector qi = FloatVector.broadcast(F, q[qo + i]);
                a0 = FloatVector.fromArray(F, keys, row).fma(qi, a0);
                a1 = FloatVector.fromArray(F, keys, row + tile).fma(qi, a1);
                a2 = FloatVector.fromArray(F, keys, row + 2 * tile).fma(qi, a2);
                a3 = FloatVector.fromArray(F, keys, row + 3 * tile).fma(qi, a3);
            }
            a0.mul(scale).intoArray(att, p);
            a1.mul(scale).intoArray(att, p + FL);
            a2.mul(scale).intoArray(att, p + 2 * FL);
            a3.mul(scale).intoArray(att, p + 3 * FL);
        }
        for (; p < end; p += FL) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p * headDim; i < headDim; i++, row += FL) {
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

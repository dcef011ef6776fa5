package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.parallel.WorkerPool;

import java.util.Arrays;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * Causal multi-head attention over {@link KvCache}s, with grouped-query heads (each KV head serves
 * nHeads / nKvHeads query heads), in two shapes:
 * <ul>
 * <li>{@link #apply}: T queries of one sequence, query t at position start + t seeing cache
 *     positions [0, start + t] (a prompt pass, or one token);
 * <li>{@link #applyRows}: one query per row, each at its own position of its own cache (a batched
 *     decoding step). Rows whose caches hold a copy of one prompt prefix ({@link KvCache#source})
 *     read that stretch from the source, four rows at a time, so that a step of 64 sequences does
 *     not read 64 copies of it.
 * </ul>
 * Work is split across (head, block of up to {@value #QUERIES} queries) pairs; a block's queries
 * are scored and summed together, sharing every key and value they load. Every query gets the same
 * bits whichever way it is taken: a score is one multiply-add chain over the head's components, and
 * a query's output is one chain per component over its positions in order, continued where a block
 * switches from the shared stretch to the row's own positions.
 *
 * <p>Scores are computed a vector of positions at a time from the transposed keys; the weighted sum
 * keeps four vectors of the output in registers while it walks the positions. A reusable job like
 * {@link MatVec}: per-worker score buffers, and row buffers that grow with the largest batch.
 */
public final class Attention implements WorkerPool.RangeTask {
    /** Queries of one head taken together: 4 x 4 vector accumulators fill the registers. */
    private static final int QUERIES = 4;

    private final WorkerPool pool;
    private final int nHeads;
    private final int nKvHeads;
    private final int headDim;
    /** Floats from one tile of a head's keys to its next: every KV head's vectors of FL positions ({@link KvCache}). */
    private final int tile;
    /** Floats of a position's keys (or values) across the KV heads. */
    private final int kvDim;
    private final float[][] scores;
    /** Padded length of one query's scores in a worker's buffer. */
    private final int span;
    private final float scale;
    private final WorkerPool.RangeTask rowsTask = this::runRows;
    private float[] q;
    private float[] out;
    private int layer;
    // apply: one sequence's queries
    private KvCache cache;
    private int first;
    private int start;
    private int tokens;
    // applyRows: row r's query at rowPositions[r] of rowCaches[r], which reads its first shared[r]
    // positions from base[r]; order lists the rows grouped by base, cut into blocks
    private int[] rowPositions;
    private KvCache[] rowCaches;
    private KvCache[] base = new KvCache[0];
    private int[] shared = new int[0], order = new int[0], blockFrom = new int[0], blockSize = new int[0];
    private boolean[] placed = new boolean[0];
    private int blocks;

    public Attention(WorkerPool pool, int nHeads, int nKvHeads, int headDim, int maxPositions) {
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(nHeads + " query heads do not split into " + nKvHeads + " KV head groups");
        }
        this.pool = pool;
        this.nHeads = nHeads;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.kvDim = nKvHeads * headDim;
        this.tile = kvDim * FL;
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
        this.cache = cache;
        this.layer = layer;
        this.out = out;
        this.first = first;
        this.start = start;
        this.tokens = tokens;
        pool.parallelFor((tokens + QUERIES - 1) / QUERIES * nHeads, this);
        this.q = null;
        this.cache = null;
        this.out = null;
    }

    /**
     * Rows [0, n) of q and out, one query each: row r at position positions[r] of caches[r], which
     * holds its positions [0, positions[r]] of {@code layer}. Several rows may name one cache (the
     * tails of one prompt).
     */
    public void applyRows(float[] q, int n, int[] positions, KvCache[] caches, int layer, float[] out) {
        this.q = q;
        this.layer = layer;
        this.out = out;
        this.rowPositions = positions;
        this.rowCaches = caches;
        group(n);
        pool.parallelFor(blocks * nHeads, rowsTask);
        this.q = null;
        this.out = null;
        this.rowCaches = null;
        this.rowPositions = null;
        Arrays.fill(base, 0, n, null);
    }

    /**
     * Sets each row's base (its cache's source, or the cache itself) and shared stretch, lists the
     * rows grouped by base, and cuts each group into blocks of {@value #QUERIES}.
     */
    private void group(int n) {
        if (base.length < n) {
            base = new KvCache[n];
            shared = new int[n];
            order = new int[n];
            blockFrom = new int[n];
            blockSize = new int[n];
            placed = new boolean[n];
        }
        for (int r = 0; r < n; r++) {
            KvCache c = rowCaches[r], s = c.source();
            base[r] = s == null ? c : s;
            shared[r] = s == null ? rowPositions[r] + 1 : Math.min(c.sharedLength(), rowPositions[r] + 1);
            placed[r] = false;
        }
        int listed = 0;
        blocks = 0;
        for (int r = 0; r < n; r++) {
            if (placed[r]) continue;
            int groupStart = listed;
            for (int u = r; u < n; u++) {
                if (placed[u] || base[u] != base[r]) continue;
                placed[u] = true;
                // longest share first: a block reads together only what all four of its rows share
                int i = listed++;
                for (; i > groupStart && shared[order[i - 1]] < shared[u]; i--) order[i] = order[i - 1];
                order[i] = u;
            }
            for (int b = groupStart; b < listed; b += QUERIES) {
                blockFrom[blocks] = b;
                blockSize[blocks++] = Math.min(QUERIES, listed - b);
            }
        }
    }

    @Override
    public void run(int worker, int from, int to) {
        float[] att = scores[worker];
        float[] keys = cache.keys(layer), values = cache.values(layer);
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
                    scores(att, 0, qo, keys, KvCache.headKeys(kvHead, headDim), 0, positions);
                    Softmax.apply(att, 0, positions);
                    weightedSum(att, 0, values, kvHead * headDim, 0, positions, qo, false);
                }
                continue;
            }
            // query j sees start + t0 + j + 1 positions; all four are scored over the last one's
            // span, and each query's weights past its own positions are zeroed, so the shared
            // weighted sum adds exact zeros for them
            int last = start + t0 + QUERIES;
            scores4(att, qo, qo + dim, qo + 2 * dim, qo + 3 * dim, keys, KvCache.headKeys(kvHead, headDim), last);
            for (int j = 0; j < QUERIES; j++) {
                int positions = last - (QUERIES - 1) + j;
                Softmax.apply(att, j * span, positions);
                Arrays.fill(att, j * span + positions, j * span + last, 0f);
            }
            weightedSum4(att, values, kvHead * headDim, last, qo, qo + dim, qo + 2 * dim, qo + 3 * dim);
        }
    }

    /**
     * A block of rows of one base: the tiles of positions all of them share are scored and summed
     * from the base for the four together; each row's later positions from its own cache.
     */
    private void runRows(int worker, int from, int to) {
        float[] att = scores[worker];
        int dim = nHeads * headDim;
        int group = nHeads / nKvHeads;
        for (int item = from; item < to; item++) {
            int b = item % blocks, h = item / blocks;
            int kvHead = h / group, vo = kvHead * headDim;
            KvCache common = base[order[blockFrom[b]]];
            int keyBase = KvCache.headKeys(kvHead, headDim); // the same in every cache
            float[] sharedKeys = common.keys(layer), sharedValues = common.values(layer);
            int n = blockSize[b], together = 0;
            if (n == QUERIES) {
                together = Integer.MAX_VALUE;
                int all = Integer.MAX_VALUE; // positions all four rows have
                for (int j = 0; j < QUERIES; j++) {
                    int r = order[blockFrom[b] + j];
                    together = Math.min(together, shared[r] / FL * FL);
                    all = Math.min(all, rowPositions[r] + 1);
                }
                int r0 = order[blockFrom[b]], r1 = order[blockFrom[b] + 1], r2 = order[blockFrom[b] + 2], r3 = order[blockFrom[b] + 3];
                int h0 = h * headDim, o0 = r0 * dim + h0, o1 = r1 * dim + h0, o2 = r2 * dim + h0, o3 = r3 * dim + h0;
                KvCache c0 = rowCaches[r0], c1 = rowCaches[r1], c2 = rowCaches[r2], c3 = rowCaches[r3];
                // the shared tiles from the base; then each row's own positions, the four rows' side by
                // side (four chains, not one waiting on itself) as far as all of them go
                scores4(att, o0, o1, o2, o3, sharedKeys, keyBase, together);
                ownScores4(att, o0, o1, o2, o3, c0.keys(layer), c1.keys(layer), c2.keys(layer), c3.keys(layer), keyBase, together, all / FL * FL);
                for (int j = 0; j < QUERIES; j++) {
                    int r = order[blockFrom[b] + j], positions = rowPositions[r] + 1;
                    scores(att, j * span, r * dim + h0, rowCaches[r].keys(layer), keyBase, all / FL * FL, positions);
                    Softmax.apply(att, j * span, positions);
                }
                weightedSum4(att, sharedValues, vo, together, o0, o1, o2, o3);
                ownWeightedSum4(att, c0.values(layer), c1.values(layer), c2.values(layer), c3.values(layer), vo, together, all, o0, o1, o2, o3);
                for (int j = 0; j < QUERIES; j++) {
                    int r = order[blockFrom[b] + j];
                    weightedSum(att, j * span, rowCaches[r].values(layer), vo, all, rowPositions[r] + 1, r * dim + h0, true);
                }
                continue;
            }
            for (int j = 0; j < n; j++) { // one by one, through the same two stretches
                int r = order[blockFrom[b] + j], qo = r * dim + h * headDim, positions = rowPositions[r] + 1;
                int own = shared[r] / FL * FL;
                KvCache c = rowCaches[r];
                scores(att, 0, qo, sharedKeys, keyBase, 0, own);
                scores(att, 0, qo, c.keys(layer), keyBase, own, positions);
                Softmax.apply(att, 0, positions);
                weightedSum(att, 0, sharedValues, vo, 0, own, qo, false);
                weightedSum(att, 0, c.values(layer), vo, own, positions, qo, true);
            }
        }
    }

    /**
     * Scores of four queries over the tiles [from, to) of their own caches' keys k0 .. k3 (each
     * query's scores the chains of {@link #scores}), into att[j * span ..].
     */
    private void ownScores4(float[] att, int q0, int q1, int q2, int q3, float[] k0, float[] k1, float[] k2, float[] k3,
                            int keyBase, int from, int to) {
        for (int p = from; p < to; p += FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p * kvDim; i < headDim; i++, row += FL) {
                a0 = FloatVector.fromArray(F, k0, row).fma(FloatVector.broadcast(F, q[q0 + i]), a0);
                a1 = FloatVector.fromArray(F, k1, row).fma(FloatVector.broadcast(F, q[q1 + i]), a1);
                a2 = FloatVector.fromArray(F, k2, row).fma(FloatVector.broadcast(F, q[q2 + i]), a2);
                a3 = FloatVector.fromArray(F, k3, row).fma(FloatVector.broadcast(F, q[q3 + i]), a3);
            }
            a0.mul(scale).intoArray(att, p);
            a1.mul(scale).intoArray(att, span + p);
            a2.mul(scale).intoArray(att, 2 * span + p);
            a3.mul(scale).intoArray(att, 3 * span + p);
        }
    }

    /**
     * Four queries' weighted sums over positions [from, to) of their own caches' values v0 .. v3,
     * added in order to what out[o0 ..] .. out[o3 ..] hold (each element the chain of {@link #weightedSum}).
     */
    private void ownWeightedSum4(float[] att, float[] v0, float[] v1, float[] v2, float[] v3, int vo, int from, int to,
                                 int o0, int o1, int o2, int o3) {
        int c = 0;
        for (; c + FL <= headDim; c += FL) {
            FloatVector a0 = FloatVector.fromArray(F, out, o0 + c), a1 = FloatVector.fromArray(F, out, o1 + c);
            FloatVector a2 = FloatVector.fromArray(F, out, o2 + c), a3 = FloatVector.fromArray(F, out, o3 + c);
            for (int p = from, row = vo + c + from * kvDim; p < to; p++, row += kvDim) {
                a0 = FloatVector.fromArray(F, v0, row).fma(FloatVector.broadcast(F, att[p]), a0);
                a1 = FloatVector.fromArray(F, v1, row).fma(FloatVector.broadcast(F, att[span + p]), a1);
                a2 = FloatVector.fromArray(F, v2, row).fma(FloatVector.broadcast(F, att[2 * span + p]), a2);
                a3 = FloatVector.fromArray(F, v3, row).fma(FloatVector.broadcast(F, att[3 * span + p]), a3);
            }
            a0.intoArray(out, o0 + c);
            a1.intoArray(out, o1 + c);
            a2.intoArray(out, o2 + c);
            a3.intoArray(out, o3 + c);
        }
        if (c < headDim) {
            scalarTail(att, 0, v0, vo, c, from, to, o0, true);
            scalarTail(att, span, v1, vo, c, from, to, o1, true);
            scalarTail(att, 2 * span, v2, vo, c, from, to, o2, true);
            scalarTail(att, 3 * span, v3, vo, c, from, to, o3, true);
        }
    }

    /**
     * scores() for the four queries at q[q0 ..], .., q[q3 ..] over positions [0, positions): query
     * j's scores go to att[j * span ..].
     */
    private void scores4(float[] att, int q0, int q1, int q2, int q3, float[] keys, int keyBase, int positions) {
        int end = (positions + FL - 1) / FL * FL;
        int p = 0;
        for (; p + 4 * FL <= end; p += 4 * FL) {
            FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
            FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
            FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
            FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p * kvDim; i < headDim; i++, row += FL) {
                FloatVector k0 = FloatVector.fromArray(F, keys, row);
                FloatVector k1 = FloatVector.fromArray(F, keys, row + tile);
                FloatVector k2 = FloatVector.fromArray(F, keys, row + 2 * tile);
                FloatVector k3 = FloatVector.fromArray(F, keys, row + 3 * tile);
                FloatVector w0 = FloatVector.broadcast(F, q[q0 + i]);
                a00 = k0.fma(w0, a00);
                a01 = k1.fma(w0, a01);
                a02 = k2.fma(w0, a02);
                a03 = k3.fma(w0, a03);
                FloatVector w1 = FloatVector.broadcast(F, q[q1 + i]);
                a10 = k0.fma(w1, a10);
                a11 = k1.fma(w1, a11);
                a12 = k2.fma(w1, a12);
                a13 = k3.fma(w1, a13);
                FloatVector w2 = FloatVector.broadcast(F, q[q2 + i]);
                a20 = k0.fma(w2, a20);
                a21 = k1.fma(w2, a21);
                a22 = k2.fma(w2, a22);
                a23 = k3.fma(w2, a23);
                FloatVector w3 = FloatVector.broadcast(F, q[q3 + i]);
                a30 = k0.fma(w3, a30);
                a31 = k1.fma(w3, a31);
                a32 = k2.fma(w3, a32);
                a33 = k3.fma(w3, a33);
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
            for (int i = 0, row = keyBase + p * kvDim; i < headDim; i++, row += FL) {
                FloatVector k = FloatVector.fromArray(F, keys, row);
                a0 = k.fma(FloatVector.broadcast(F, q[q0 + i]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q[q1 + i]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q[q2 + i]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q[q3 + i]), a3);
            }
            a0.mul(scale).intoArray(att, p);
            a1.mul(scale).intoArray(att, span + p);
            a2.mul(scale).intoArray(att, 2 * span + p);
            a3.mul(scale).intoArray(att, 3 * span + p);
        }
    }

    /**
     * weightedSum() for four queries over positions [0, positions): weights att[j * span ..], outputs
     * out[o0 ..], .., out[o3 ..], from zero.
     */
    private void weightedSum4(float[] att, float[] values, int vo, int positions, int o0, int o1, int o2, int o3) {
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
            a00.intoArray(out, o0 + c + 0 * FL);
            a01.intoArray(out, o0 + c + 1 * FL);
            a02.intoArray(out, o0 + c + 2 * FL);
            a03.intoArray(out, o0 + c + 3 * FL);
            a10.intoArray(out, o1 + c + 0 * FL);
            a11.intoArray(out, o1 + c + 1 * FL);
            a12.intoArray(out, o1 + c + 2 * FL);
            a13.intoArray(out, o1 + c + 3 * FL);
            a20.intoArray(out, o2 + c + 0 * FL);
            a21.intoArray(out, o2 + c + 1 * FL);
            a22.intoArray(out, o2 + c + 2 * FL);
            a23.intoArray(out, o2 + c + 3 * FL);
            a30.intoArray(out, o3 + c + 0 * FL);
            a31.intoArray(out, o3 + c + 1 * FL);
            a32.intoArray(out, o3 + c + 2 * FL);
            a33.intoArray(out, o3 + c + 3 * FL);
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
            a0.intoArray(out, o0 + c);
            a1.intoArray(out, o1 + c);
            a2.intoArray(out, o2 + c);
            a3.intoArray(out, o3 + c);
        }
        if (c < headDim) {
            scalarTail(att, 0, values, vo, c, 0, positions, o0, false);
            scalarTail(att, span, values, vo, c, 0, positions, o1, false);
            scalarTail(att, 2 * span, values, vo, c, 0, positions, o2, false);
            scalarTail(att, 3 * span, values, vo, c, 0, positions, o3, false);
        }
    }

    /**
     * att[a + p] = q . key[p] / sqrt(headDim) for p in [from, positions), rounded out to whole vectors
     * (from is a tile's first position, and the cache is padded). Four vectors of positions at a time:
     * four independent multiply-add chains hide the latency that one chain over headDim would wait on.
     */
    private void scores(float[] att, int a, int qo, float[] keys, int keyBase, int from, int positions) {
        int end = (positions + FL - 1) / FL * FL;
        int p = from;
        for (; p + 4 * FL <= end; p += 4 * FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p * kvDim; i < headDim; i++, row += FL) {
                FloatVector qi = FloatVector.broadcast(F, q[qo + i]);
                a0 = FloatVector.fromArray(F, keys, row).fma(qi, a0);
                a1 = FloatVector.fromArray(F, keys, row + tile).fma(qi, a1);
                a2 = FloatVector.fromArray(F, keys, row + 2 * tile).fma(qi, a2);
                a3 = FloatVector.fromArray(F, keys, row + 3 * tile).fma(qi, a3);
            }
            a0.mul(scale).intoArray(att, a + p);
            a1.mul(scale).intoArray(att, a + p + FL);
            a2.mul(scale).intoArray(att, a + p + 2 * FL);
            a3.mul(scale).intoArray(att, a + p + 3 * FL);
        }
        for (; p < end; p += FL) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0, row = keyBase + p * kvDim; i < headDim; i++, row += FL) {
                acc = FloatVector.fromArray(F, keys, row).fma(FloatVector.broadcast(F, q[qo + i]), acc);
            }
            acc.mul(scale).intoArray(att, a + p);
        }
    }

    /**
     * out[qo ..] = sum over positions [from, positions) of att[a + p] * value[p], four output vectors
     * at a time; {@code carry}: added in order to what out holds (a sum over the positions before
     * {@code from}, continued as if it had never been stored), else from zero.
     */
    private void weightedSum(float[] att, int a, float[] values, int vo, int from, int positions, int qo, boolean carry) {
        int c = 0;
        for (; c + 4 * FL <= headDim; c += 4 * FL) {
            FloatVector a0 = start(carry, qo + c), a1 = start(carry, qo + c + FL);
            FloatVector a2 = start(carry, qo + c + 2 * FL), a3 = start(carry, qo + c + 3 * FL);
            for (int p = from, row = vo + c + from * kvDim; p < positions; p++, row += kvDim) {
                FloatVector w = FloatVector.broadcast(F, att[a + p]);
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
        if (c + 2 * FL <= headDim) { // two chains, not one waiting on itself (a head of two vectors)
            FloatVector a0 = start(carry, qo + c), a1 = start(carry, qo + c + FL);
            for (int p = from, row = vo + c + from * kvDim; p < positions; p++, row += kvDim) {
                FloatVector w = FloatVector.broadcast(F, att[a + p]);
                a0 = FloatVector.fromArray(F, values, row).fma(w, a0);
                a1 = FloatVector.fromArray(F, values, row + FL).fma(w, a1);
            }
            a0.intoArray(out, qo + c);
            a1.intoArray(out, qo + c + FL);
            c += 2 * FL;
        }
        for (; c + FL <= headDim; c += FL) {
            FloatVector acc = start(carry, qo + c);
            for (int p = from, row = vo + c + from * kvDim; p < positions; p++, row += kvDim) {
                acc = FloatVector.fromArray(F, values, row).fma(FloatVector.broadcast(F, att[a + p]), acc);
            }
            acc.intoArray(out, qo + c);
        }
        if (c < headDim) scalarTail(att, a, values, vo, c, from, positions, qo, carry);
    }

    /**
     * Components [c, headDim) of one query's weighted sum over positions [from, to), one element at a
     * time (a head size that is not a whole number of vectors); {@code carry} as in {@link #weightedSum}.
     */
    private void scalarTail(float[] att, int a, float[] values, int vo, int c, int from, int to, int o, boolean carry) {
        if (!carry) Arrays.fill(out, o + c, o + headDim, 0f);
        for (int p = from; p < to; p++) {
            for (int i = c; i < headDim; i++) out[o + i] += att[a + p] * values[p * kvDim + vo + i];
        }
    }

    private FloatVector start(boolean carry, int o) {
        return carry ? FloatVector.fromArray(F, out, o) : FloatVector.zero(F);
    }
}

package org.knowcoder.tensor.autograd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.Softmax;
import org.knowcoder.tensor.kernels.VectorMath;

/**
 * Causal self-attention with grouped-query heads over packed sequences: q [B*T, nHeads*hd],
 * k and v [B*T, nKvHeads*hd], each sequence of T rows attending only to itself, position i to
 * positions 0..i; query head h reads KV head h / (nHeads / nKvHeads). Packed ({@link RowLayout}),
 * a sequence of T rows may hold several examples one after another: row i then attends to its own
 * example's rows up to itself (a block-diagonal causal mask), after the rows of the shared prefix
 * its example continues, if any. A row's keys are thus at most two runs of rows, the prefix's and
 * its own; its probabilities are stored as one run, the prefix's first. Saves the attention
 * probabilities P. Backward, with S the scaled scores:
 * dP = dy v^T, dS = P (dP - rowsum(P dP)), dq = dS k / sqrt(hd), dk = dS^T q / sqrt(hd), dv = P^T dy.
 * Forward splits the work by (sequence, head); backward by (sequence, KV head), so that no two
 * workers add to the same rows of dk and dv.
 *
 * <p>Vectorized along the keys, not along a head's few dimensions (32 in KnowCoder-mini): the
 * keys (forward) and values (backward) of a head are transposed to [hd][T] once per unit, so that
 * the scores of a row are FL keys per FMA instead of one horizontally summed dot product per key.
 * A row's sums over its keys (P v, dS k) are register accumulators over one vector of head
 * dimensions; dk and dv are added to key by key. Every output is formed in a fixed order relative to
 * its example's first row: the same bits for any thread count and for an example packed or alone
 * (up to rounding for one that continues a shared prefix: its sums restart at the second run).
 */
public final class CausalAttention {
    private CausalAttention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();

    public static Var apply(Tape tape, Var q, Var k, Var v, int nHeads, int nKvHeads, int seqLen) {
        return apply(tape, q, k, v, nHeads, nKvHeads, seqLen, RowLayout.UNPACKED);
    }

    /** As above, the rows laid out as {@code layout} says. */
    public static Var apply(Tape tape, Var q, Var k, Var v, int nHeads, int nKvHeads, int seqLen, RowLayout layout) {
        int rows = q.rows(), hd = q.cols() / nHeads, kvDim = k.cols(), dim = q.cols();
        if (rows % seqLen != 0 || k.rows() != rows || v.rows() != rows || kvDim != nKvHeads * hd || v.cols() != kvDim
                || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("attention shapes do not fit: " + q + ", " + k + ", " + v
                    + " with " + nHeads + "/" + nKvHeads + " heads, sequences of " + seqLen);
        }
        layout.check(rows, seqLen);
        int batch = rows / seqLen, group = nHeads / nKvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        KeyRuns runs = KeyRuns.of(layout, rows, seqLen);
        int[] rowProbs = runs.probabilityOffsets(batch, nHeads, seqLen);
        float[] probs = tape.take(rowProbs[rowProbs.length - 1]);
        Var y = tape.result("attention", rows, dim, Tape.anyRequiresGrad(q, k, v));
        float[] qv = q.value(), kv = k.value(), vv = v.value(), out = y.value();
        WorkerPool pool = tape.pool();
        float[][] headScratch = new float[pool.threads()][hd * seqLen];
        pool.parallelFor(batch * nHeads, (worker, from, to) -> {
            float[] keys = headScratch[worker];
            for (int unit = from; unit < to; unit++) {
                int b = unit / nHeads, h = unit % nHeads, base = b * seqLen, kvo = base * kvDim + h / group * hd;
                transposeHead(kv, kvo, kvDim, seqLen, hd, keys);
                for (int i = 0; i < seqLen; i++) {
                    int r = base + i, qo = r * dim + h * hd, po = rowProbs[unit * seqLen + i];
                    int shared = runs.shared[r], pf = runs.prefixFirst[r], first = runs.first[r], n = i - first + 1;
                    if (shared > 0) products(qv, qo, keys, seqLen, pf, shared, hd, scale, probs, po);
                    products(qv, qo, keys, seqLen, first, n, hd, scale, probs, po + shared);
                    Softmax.apply(probs, po, shared + n);
                    if (shared > 0) addWeighted(probs, po, shared, vv, kvo + pf * kvDim, kvDim, hd, out, qo);
                    addWeighted(probs, po + shared, n, vv, kvo + first * kvDim, kvDim, hd, out, qo);
                }
            }
        });
        tape.record(y, () -> {
            float[] dy = y.grad(), qs = q.value(), ks = k.value(), vs = v.value();
            float[] dq = q.requiresGrad() ? q.gradForUpdate() : new float[q.size()];
            float[] dk = k.requiresGrad() ? k.gradForUpdate() : new float[k.size()];
            float[] dv = v.requiresGrad() ? v.gradForUpdate() : new float[v.size()];
            float[][] rowScratch = new float[pool.threads()][seqLen];
            pool.parallelFor(batch * nKvHeads, (worker, from, to) -> {
                float[] values = headScratch[worker], dS = rowScratch[worker];
                for (int unit = from; unit < to; unit++) {
                    int b = unit / nKvHeads, g = unit % nKvHeads, base = b * seqLen, kvo = base * kvDim + g * hd;
                    transposeHead(vs, kvo, kvDim, seqLen, hd, values);
                    for (int h = g * group; h < (g + 1) * group; h++) {
                        for (int i = 0; i < seqLen; i++) {
                            int r = base + i, qo = r * dim + h * hd, po = rowProbs[(b * nHeads + h) * seqLen + i];
                            int shared = runs.shared[r], pf = runs.prefixFirst[r], first = runs.first[r], n = i - first + 1;
                            if (shared > 0) products(dy, qo, values, seqLen, pf, shared, hd, 1f, dS, 0);
                            products(dy, qo, values, seqLen, first, n, hd, 1f, dS, shared); // dP
                            float rowSum = VectorMath.dot(probs, po, dS, 0, shared + n);
                            scoreGradients(probs, po, dS, shared + n, rowSum, scale);
                            if (shared > 0) rowGradients(probs, po, dS, 0, shared, dy, qs, ks, qo, kvo + pf * kvDim, kvDim, hd, dq, dk, dv);
                            rowGradients(probs, po + shared, dS, shared, n, dy, qs, ks, qo, kvo + first * kvDim, kvDim, hd, dq, dk, dv);
                        }
                    }
                }
            });
            tape.give(probs);
        }, q, k, v);
        return y;
    }

    /**
     * Each batch row's keys as sequence rows, read from the layout once per call rather than per
     * head: {@code shared} keys of its prefix from {@code prefixFirst}, then its own from
     * {@code first} up to itself.
     */
    private record KeyRuns(int[] prefixFirst, int[] shared, int[] first) {
        static KeyRuns of(RowLayout layout, int rows, int seqLen) {
            int[] prefixFirst = new int[rows], shared = new int[rows], first = new int[rows];
            for (int r = 0; r < rows; r++) {
                int i = r % seqLen;
                shared[r] = layout.prefixLength(r, i);
                if (shared[r] > 0) prefixFirst[r] = layout.prefixFirst(r, i);
                first[r] = layout.first(r, i);
            }
            return new KeyRuns(prefixFirst, shared, first);
        }

        /**
         * Where each (sequence, head, row)'s probabilities start in one packed array, in that order,
         * and its total last: a row keeps one per key it sees, so a packed sequence of short examples
         * keeps a few dozen per row instead of seqLen (at 1,024 positions, 4 MB per head and
         * sequence that every layer would zero).
         */
        int[] probabilityOffsets(int batch, int nHeads, int seqLen) {
            int[] offsets = new int[batch * nHeads * seqLen + 1];
            long next = 0;
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < nHeads; h++) {
                    for (int i = 0, base = b * seqLen; i < seqLen; i++) {
                        if (next > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("attention over " + batch + " sequences of " + seqLen + " is too large for one array");
                        offsets[(b * nHeads + h) * seqLen + i] = (int) next;
                        next += shared[base + i] + i - first[base + i] + 1;
                    }
                }
            }
            offsets[offsets.length - 1] = (int) next;
            return offsets;
        }
    }

    /** dst[d * T + j] = src[so + j * stride + d]: one head's rows of a sequence, transposed. */
    private static void transposeHead(float[] src, int so, int stride, int seqLen, int hd, float[] dst) {
        for (int j = 0; j < seqLen; j++) {
            for (int d = 0, s = so + j * stride; d < hd; d++) dst[d * seqLen + j] = src[s + d];
        }
    }

    /**
     * out[oo + j] = scale * (x[xo ..] . row first + j of the transposed head t), for j < n: a vector
     * of FL keys per FMA, four vectors at a time while four fit, each lane one FMA chain over d.
     */
    private static void products(float[] x, int xo, float[] t, int seqLen, int first, int n, int hd, float scale, float[] out, int oo) {
        int j = 0;
        for (; j + 4 * FL <= n; j += 4 * FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int d = 0, to = first + j; d < hd; d++, to += seqLen) {
                FloatVector xd = FloatVector.broadcast(F, x[xo + d]);
                a0 = FloatVector.fromArray(F, t, to).fma(xd, a0);
                a1 = FloatVector.fromArray(F, t, to + FL).fma(xd, a1);
                a2 = FloatVector.fromArray(F, t, to + 2 * FL).fma(xd, a2);
                a3 = FloatVector.fromArray(F, t, to + 3 * FL).fma(xd, a3);
            }
            a0.mul(scale).intoArray(out, oo + j);
            a1.mul(scale).intoArray(out, oo + j + FL);
            a2.mul(scale).intoArray(out, oo + j + 2 * FL);
            a3.mul(scale).intoArray(out, oo + j + 3 * FL);
        }
        for (; j < n; j += FL) {
            VectorMask<Float> in = F.indexInRange(j, n);
            FloatVector a = FloatVector.zero(F);
            for (int d = 0, to = first + j; d < hd; d++, to += seqLen) a = FloatVector.fromArray(F, t, to, in).fma(FloatVector.broadcast(F, x[xo + d]), a);
            a.mul(scale).intoArray(out, oo + j, in);
        }
    }

    /**
     * y[yo + d] += sum over c < count of w[wo + c] * x[xo + c * xStride + d], for d < hd:
     * two accumulators per vector of dimensions (even and odd c), so the FMA latency is half hidden;
     * dimensions past the last whole vector one at a time.
     */
    private static void addWeighted(float[] w, int wo, int count, float[] x, int xo, int xStride, int hd, float[] y, int yo) {
        int d = 0;
        for (; d + FL <= hd; d += FL) {
            FloatVector a0 = FloatVector.fromArray(F, y, yo + d), a1 = FloatVector.zero(F);
            int c = 0;
            for (; c + 1 < count; c += 2) {
                a0 = FloatVector.fromArray(F, x, xo + c * xStride + d).fma(FloatVector.broadcast(F, w[wo + c]), a0);
                a1 = FloatVector.fromArray(F, x, xo + (c + 1) * xStride + d).fma(FloatVector.broadcast(F, w[wo + c + 1]), a1);
            }
            if (c < count) a0 = FloatVector.fromArray(F, x, xo + c * xStride + d).fma(FloatVector.broadcast(F, w[wo + c]), a0);
            a0.add(a1).intoArray(y, yo + d);
        }
        for (; d < hd; d++) {
            float a = y[yo + d];
            for (int c = 0; c < count; c++) a = Math.fma(x[xo + c * xStride + d], w[wo + c], a);
            y[yo + d] = a;
        }
    }

    /** dS[j] = p[po + j] * (dS[j] - rowSum) * scale for j < n: dP, in dS, becomes the score gradient. */
    private static void scoreGradients(float[] p, int po, float[] dS, int n, float rowSum, float scale) {
        for (int j = 0; j < n; j += FL) {
            VectorMask<Float> in = F.indexInRange(j, n);
            FloatVector.fromArray(F, p, po + j, in).mul(FloatVector.fromArray(F, dS, j, in).sub(rowSum)).mul(scale).intoArray(dS, j, in);
        }
    }

    /**
     * One query row's share of the gradients, over its keys c < n (rows ko + c * kvDim of k and v,
     * probabilities p[po + c], score gradients dS[so + c]): dv[c] += p[c] dy, dk[c] += dS[c] q, and
     * dq += sum of dS[c] k[c], the last in two register
     * accumulators (even and odd c). The dk and dv rows of a head are 128 bytes apart at hd = 32, so
     * their read-modify-writes stream through cache in key order.
     */
    private static void rowGradients(float[] p, int po, float[] dS, int so, int n, float[] dy, float[] qs, float[] ks, int qo, int ko, int kvDim,
                                     int hd, float[] dq, float[] dk, float[] dv) {
        int d = 0;
        for (; d + FL <= hd; d += FL) {
            FloatVector g = FloatVector.fromArray(F, dy, qo + d), x = FloatVector.fromArray(F, qs, qo + d);
            FloatVector a0 = FloatVector.fromArray(F, dq, qo + d), a1 = FloatVector.zero(F);
            int c = 0;
            for (; c + 1 < n; c += 2) {
                int o = ko + c * kvDim + d, o1 = o + kvDim;
                addScaled(g, p[po + c], dv, o);
                addScaled(x, dS[so + c], dk, o);
                a0 = FloatVector.fromArray(F, ks, o).fma(FloatVector.broadcast(F, dS[so + c]), a0);
                addScaled(g, p[po + c + 1], dv, o1);
                addScaled(x, dS[so + c + 1], dk, o1);
                a1 = FloatVector.fromArray(F, ks, o1).fma(FloatVector.broadcast(F, dS[so + c + 1]), a1);
            }
            if (c < n) {
                int o = ko + c * kvDim + d;
                addScaled(g, p[po + c], dv, o);
                addScaled(x, dS[so + c], dk, o);
                a0 = FloatVector.fromArray(F, ks, o).fma(FloatVector.broadcast(F, dS[so + c]), a0);
            }
            a0.add(a1).intoArray(dq, qo + d);
        }
        for (; d < hd; d++) {
            float g = dy[qo + d], x = qs[qo + d], a = dq[qo + d];
            for (int c = 0; c < n; c++) {
                int o = ko + c * kvDim + d;
                dv[o] = Math.fma(g, p[po + c], dv[o]);
                dk[o] = Math.fma(x, dS[so + c], dk[o]);
                a = Math.fma(ks[o], dS[so + c], a);
            }
            dq[qo + d] = a;
        }
    }

    /** y[o ..] += s * v. */
    private static void addScaled(FloatVector v, float s, float[] y, int o) {
        v.fma(FloatVector.broadcast(F, s), FloatVector.fromArray(F, y, o)).intoArray(y, o);
    }
}

package org.knowcoder.tensor.autograd;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.VectorMath;

/**
 * Causal self-attention with grouped-query heads over packed sequences: q [B*T, nHeads*hd],
 * k and v [B*T, nKvHeads*hd], each sequence of T rows attending only to itself, position i to
 * positions 0..i; query head h reads KV head h / (nHeads / nKvHeads). With per-row positions, a
 * sequence of T rows may hold several examples one after another, each starting at position 0:
 * row i then attends to rows i - position(i) .. i, its own example's rows up to itself (a
 * block-diagonal causal mask). Saves the attention
 * probabilities P. Backward, with S the scaled scores:
 * dP = dy v^T, dS = P (dP - rowsum(P dP)), dq = dS k / sqrt(hd), dk = dS^T q / sqrt(hd), dv = P^T dy.
 * Forward splits the work by (sequence, head); backward by (sequence, KV head), so that no two
 * workers add to the same rows of dk and dv.
 */
public final class CausalAttention {
    private CausalAttention() {}

    public static Var apply(Tape tape, Var q, Var k, Var v, int nHeads, int nKvHeads, int seqLen) {
        return apply(tape, q, k, v, nHeads, nKvHeads, seqLen, null);
    }

    /**
     * As above, row r at position {@code positions[r]} of its example (null: r % seqLen, one example
     * per sequence). Positions run 0, 1, 2, ... within an example and every sequence starts one.
     */
    public static Var apply(Tape tape, Var q, Var k, Var v, int nHeads, int nKvHeads, int seqLen, int[] positions) {
        int rows = q.rows(), hd = q.cols() / nHeads, kvDim = k.cols(), dim = q.cols();
        if (rows % seqLen != 0 || k.rows() != rows || v.rows() != rows || kvDim != nKvHeads * hd || v.cols() != kvDim
                || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("attention shapes do not fit: " + q + ", " + k + ", " + v
                    + " with " + nHeads + "/" + nKvHeads + " heads, sequences of " + seqLen);
        }
        if (positions != null) Positions.check(positions, rows, seqLen);
        int batch = rows / seqLen, group = nHeads / nKvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] probs = new float[batch * nHeads * seqLen * seqLen];
        Var y = Var.result("attention", rows, dim, Tape.anyRequiresGrad(q, k, v));
        float[] qv = q.value(), kv = k.value(), vv = v.value(), out = y.value();
        tape.pool().parallelFor(batch * nHeads, (worker, from, to) -> {
            for (int unit = from; unit < to; unit++) {
                int b = unit / nHeads, h = unit % nHeads, g = h / group;
                for (int i = 0; i < seqLen; i++) {
                    int qo = (b * seqLen + i) * dim + h * hd;
                    int po = ((b * nHeads + h) * seqLen + i) * seqLen;
                    int first = Positions.first(positions, b * seqLen + i, i);
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = first; j <= i; j++) {
                        float s = scale * VectorMath.dot(qv, qo, kv, (b * seqLen + j) * kvDim + g * hd, hd);
                        probs[po + j] = s;
                        max = Math.max(max, s);
                    }
                    float sum = 0;
                    for (int j = first; j <= i; j++) {
                        float e = (float) Math.exp(probs[po + j] - max);
                        probs[po + j] = e;
                        sum += e;
                    }
                    float inv = 1f / sum;
                    for (int j = first; j <= i; j++) {
                        probs[po + j] *= inv;
                        VectorMath.axpy(probs[po + j], vv, (b * seqLen + j) * kvDim + g * hd, out, qo, hd);
                    }
                }
            }
        });
        tape.record(y, () -> {
            float[] dy = y.grad(), qs = q.value(), ks = k.value(), vs = v.value();
            float[] dq = q.requiresGrad() ? q.gradForUpdate() : new float[q.size()];
            float[] dk = k.requiresGrad() ? k.gradForUpdate() : new float[k.size()];
            float[] dv = v.requiresGrad() ? v.gradForUpdate() : new float[v.size()];
            WorkerPool pool = tape.pool();
            float[][] rowScratch = new float[pool.threads()][seqLen];
            pool.parallelFor(batch * nKvHeads, (worker, from, to) -> {
                float[] dS = rowScratch[worker];
                for (int unit = from; unit < to; unit++) {
                    int b = unit / nKvHeads, g = unit % nKvHeads;
                    for (int h = g * group; h < (g + 1) * group; h++) {
                        for (int i = 0; i < seqLen; i++) {
                            int qo = (b * seqLen + i) * dim + h * hd;
                            int po = ((b * nHeads + h) * seqLen + i) * seqLen;
                            int first = Positions.first(positions, b * seqLen + i, i);
                            float rowSum = 0;
                            for (int j = first; j <= i; j++) {
                                int ko = (b * seqLen + j) * kvDim + g * hd;
                                float p = probs[po + j];
                                dS[j] = VectorMath.dot(dy, qo, vs, ko, hd);
                                rowSum += p * dS[j];
                                VectorMath.axpy(p, dy, qo, dv, ko, hd);
                            }
                            for (int j = first; j <= i; j++) {
                                int ko = (b * seqLen + j) * kvDim + g * hd;
                                float ds = probs[po + j] * (dS[j] - rowSum) * scale;
                                VectorMath.axpy(ds, ks, ko, dq, qo, hd);
                                VectorMath.axpy(ds, qs, qo, dk, ko, hd);
                            }
                        }
                    }
                }
            });
        }, q, k, v);
        return y;
    }
}

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
 *
 * <p>Rows that continue a shared prefix go through its keys four at a time where four such rows
 * follow each other (a fine-tuning block's rows attend to a prompt of some 230 rows and to a few
 * dozen of their own): each vector of keys, values and dk, dv rows is read once for the four
 * instead of once per row, and dk, dv are stored once for four rows' shares. Each output is still
 * the chain its row alone would give it, key by key in the same order, so the bits are those of one
 * row at a time ({@code CausalAttentionTest}'s float reference). Four rows of one example go
 * through their own keys together too: all four see the first row's keys, and row t then has t
 * keys more, taken inside the same pass with each key's share added to the chain its parity gives
 * it (a fine-tuning block's shared prompt, some 230 rows attending to one another, went one row at
 * a time before; bench/README.md, "Training").
 */
public final class CausalAttention {
    private CausalAttention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    /** Rows that continue one shared prefix taken together over its keys (the class comment). */
    private static final int BLOCK = 4;

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
        int ld = transposedLength(seqLen);
        float[][] headScratch = new float[pool.threads()][hd * ld];
        pool.parallelFor(batch * nHeads, (worker, from, to) -> {
            float[] keys = headScratch[worker];
            int[] qo = new int[BLOCK], po = new int[BLOCK], own = new int[BLOCK];
            for (int unit = from; unit < to; unit++) {
                int b = unit / nHeads, h = unit % nHeads, base = b * seqLen, kvo = base * kvDim + h / group * hd;
                transposeHead(kv, kvo, kvDim, seqLen, ld, hd, keys);
                for (int i = 0; i < seqLen; ) {
                    int r = base + i, shared = runs.shared[r], pf = runs.prefixFirst[r], taken = runs.block(r, i, seqLen);
                    boolean oneExample = runs.oneExample(r, taken);
                    int first = runs.first[r], n = i - first + 1; // with oneExample: the first row's own keys, which all four see
                    for (int t = 0; t < taken; t++) {
                        qo[t] = (r + t) * dim + h * hd;
                        po[t] = rowProbs[unit * seqLen + i + t];
                        own[t] = po[t] + shared;
                    }
                    // scores over the prefix, then each row's own; the sums over the prefix, then over its own
                    if (taken == BLOCK && shared > 0) products4(qv, qo, keys, ld, pf, shared, hd, scale, probs, po);
                    else if (shared > 0) products(qv, qo[0], keys, ld, pf, shared, hd, scale, probs, po[0]);
                    if (oneExample) {
                        products4(qv, qo, keys, ld, first, n, hd, scale, probs, own);
                        for (int t = 1; t < BLOCK; t++) products(qv, qo[t], keys, ld, first + n, t, hd, scale, probs, own[t] + n);
                        for (int t = 0; t < BLOCK; t++) Softmax.apply(probs, po[t], shared + n + t);
                    } else {
                        for (int t = 0; t < taken; t++) {
                            int ft = runs.first[r + t], nt = i + t - ft + 1;
                            products(qv, qo[t], keys, ld, ft, nt, hd, scale, probs, own[t]);
                            Softmax.apply(probs, po[t], shared + nt);
                        }
                    }
                    if (taken == BLOCK && shared > 0) addWeighted4(probs, po, shared, false, vv, kvo + pf * kvDim, kvDim, hd, out, qo);
                    else if (shared > 0) addWeighted(probs, po[0], shared, vv, kvo + pf * kvDim, kvDim, hd, out, qo[0]);
                    if (oneExample) {
                        addWeighted4(probs, own, n, true, vv, kvo + first * kvDim, kvDim, hd, out, qo);
                    } else {
                        for (int t = 0; t < taken; t++) {
                            int ft = runs.first[r + t], nt = i + t - ft + 1;
                            addWeighted(probs, own[t], nt, vv, kvo + ft * kvDim, kvDim, hd, out, qo[t]);
                        }
                    }
                    i += taken;
                }
            }
        });
        tape.record(y, () -> {
            float[] dy = y.grad(), qs = q.value(), ks = k.value(), vs = v.value();
            float[] dq = q.requiresGrad() ? q.gradForUpdate() : new float[q.size()];
            float[] dk = k.requiresGrad() ? k.gradForUpdate() : new float[k.size()];
            float[] dv = v.requiresGrad() ? v.gradForUpdate() : new float[v.size()];
            float[][] rowScratch = new float[pool.threads()][BLOCK * seqLen];
            pool.parallelFor(batch * nKvHeads, (worker, from, to) -> {
                float[] values = headScratch[worker], dS = rowScratch[worker];
                int[] qo = new int[BLOCK], po = new int[BLOCK], so = new int[BLOCK], own = new int[BLOCK], sOwn = new int[BLOCK];
                for (int t = 0; t < BLOCK; t++) so[t] = t * seqLen;
                for (int unit = from; unit < to; unit++) {
                    int b = unit / nKvHeads, g = unit % nKvHeads, base = b * seqLen, kvo = base * kvDim + g * hd;
                    transposeHead(vs, kvo, kvDim, seqLen, ld, hd, values);
                    for (int h = g * group; h < (g + 1) * group; h++) {
                        for (int i = 0; i < seqLen; ) {
                            int r = base + i, shared = runs.shared[r], pf = runs.prefixFirst[r], taken = runs.block(r, i, seqLen);
                            boolean oneExample = runs.oneExample(r, taken);
                            int first = runs.first[r], n = i - first + 1; // as in forward
                            for (int t = 0; t < taken; t++) {
                                qo[t] = (r + t) * dim + h * hd;
                                po[t] = rowProbs[(b * nHeads + h) * seqLen + i + t];
                                own[t] = po[t] + shared;
                                sOwn[t] = so[t] + shared;
                            }
                            // dP over the prefix, then each row's own, and dS; the gradients over the prefix, then over its own
                            if (taken == BLOCK && shared > 0) products4(dy, qo, values, ld, pf, shared, hd, 1f, dS, so);
                            else if (shared > 0) products(dy, qo[0], values, ld, pf, shared, hd, 1f, dS, so[0]);
                            if (oneExample) {
                                products4(dy, qo, values, ld, first, n, hd, 1f, dS, sOwn);
                                for (int t = 1; t < BLOCK; t++) products(dy, qo[t], values, ld, first + n, t, hd, 1f, dS, sOwn[t] + n);
                            } else {
                                for (int t = 0; t < taken; t++) {
                                    int ft = runs.first[r + t];
                                    products(dy, qo[t], values, ld, ft, i + t - ft + 1, hd, 1f, dS, sOwn[t]);
                                }
                            }
                            for (int t = 0; t < taken; t++) {
                                int keys = shared + i + t - runs.first[r + t] + 1;
                                float rowSum = VectorMath.dot(probs, po[t], dS, so[t], keys);
                                scoreGradients(probs, po[t], dS, so[t], keys, rowSum, scale);
                            }
                            int kp = kvo + pf * kvDim;
                            if (taken == BLOCK && shared > 0) rowGradients4(probs, po, dS, so, shared, false, dy, qs, ks, qo, kp, kvDim, hd, dq, dk, dv);
                            else if (shared > 0) rowGradients(probs, po[0], dS, so[0], shared, dy, qs, ks, qo[0], kp, kvDim, hd, dq, dk, dv);
                            if (oneExample) {
                                rowGradients4(probs, own, dS, sOwn, n, true, dy, qs, ks, qo, kvo + first * kvDim, kvDim, hd, dq, dk, dv);
                            } else {
                                for (int t = 0; t < taken; t++) {
                                    int ft = runs.first[r + t];
                                    rowGradients(probs, own[t], dS, sOwn[t], i + t - ft + 1, dy, qs, ks, qo[t], kvo + ft * kvDim, kvDim, hd, dq, dk, dv);
                                }
                            }
                            i += taken;
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
         * How many rows from row {@code r} (row {@code i} of its sequence) go together: {@link #BLOCK}
         * when that many are rows of one example, or continue the same shared prefix, else 1.
         */
        int block(int r, int i, int seqLen) {
            if (i + BLOCK > seqLen) return 1;
            if (first[r + BLOCK - 1] == first[r]) return BLOCK;
            if (shared[r] == 0) return 1;
            for (int t = 1; t < BLOCK; t++) if (shared[r + t] != shared[r] || prefixFirst[r + t] != prefixFirst[r]) return 1;
            return BLOCK;
        }

        /** Whether the {@code taken} rows from row {@code r} are {@link #BLOCK} rows of one example (which then share their own first keys). */
        boolean oneExample(int r, int taken) {
            return taken == BLOCK && first[r + BLOCK - 1] == first[r];
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

    /**
     * The row length of a transposed head of a sequence of {@code seqLen} rows: rounded up to an odd
     * number of vectors, so that a row's keys, read one head dimension after another, do not all
     * fall into the same few cache sets, as they do at a power-of-two length (a whole packed
     * micro-batch of 16 pieces of 256 rows is one sequence of 4,096).
     */
    private static int transposedLength(int seqLen) {
        int vectors = (seqLen + FL - 1) / FL;
        return (vectors | 1) * FL;
    }

    /** dst[d * ld + j] = src[so + j * stride + d]: one head's rows of a sequence, transposed. */
    private static void transposeHead(float[] src, int so, int stride, int seqLen, int ld, int hd, float[] dst) {
        for (int j = 0; j < seqLen; j++) {
            for (int d = 0, s = so + j * stride; d < hd; d++) dst[d * ld + j] = src[s + d];
        }
    }

    /**
     * out[oo + j] = scale * (x[xo ..] . row first + j of the transposed head t), for j < n: a vector
     * of FL keys per FMA, four vectors at a time while four fit, each lane one FMA chain over d.
     */
    private static void products(float[] x, int xo, float[] t, int ld, int first, int n, int hd, float scale, float[] out, int oo) {
        int j = 0;
        for (; j + 4 * FL <= n; j += 4 * FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int d = 0, to = first + j; d < hd; d++, to += ld) {
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
            for (int d = 0, to = first + j; d < hd; d++, to += ld) a = FloatVector.fromArray(F, t, to, in).fma(FloatVector.broadcast(F, x[xo + d]), a);
            a.mul(scale).intoArray(out, oo + j, in);
        }
    }

    /**
     * {@link #products} for the four rows at {@code xo[t]}, written from {@code oo[t]}, over the same
     * keys: each vector of keys loaded once for the four. Every lane is the same chain as there.
     */
    private static void products4(float[] x, int[] xo, float[] t, int ld, int first, int n, int hd, float scale, float[] out, int[] oo) {
        int x0 = xo[0], x1 = xo[1], x2 = xo[2], x3 = xo[3];
        int j = 0;
        for (; j + 2 * FL <= n; j += 2 * FL) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
            for (int d = 0, to = first + j; d < hd; d++, to += ld) {
                FloatVector ka = FloatVector.fromArray(F, t, to), kb = FloatVector.fromArray(F, t, to + FL);
                FloatVector q0 = FloatVector.broadcast(F, x[x0 + d]), q1 = FloatVector.broadcast(F, x[x1 + d]);
                FloatVector q2 = FloatVector.broadcast(F, x[x2 + d]), q3 = FloatVector.broadcast(F, x[x3 + d]);
                a0 = ka.fma(q0, a0);
                a1 = ka.fma(q1, a1);
                a2 = ka.fma(q2, a2);
                a3 = ka.fma(q3, a3);
                b0 = kb.fma(q0, b0);
                b1 = kb.fma(q1, b1);
                b2 = kb.fma(q2, b2);
                b3 = kb.fma(q3, b3);
            }
            a0.mul(scale).intoArray(out, oo[0] + j);
            a1.mul(scale).intoArray(out, oo[1] + j);
            a2.mul(scale).intoArray(out, oo[2] + j);
            a3.mul(scale).intoArray(out, oo[3] + j);
            b0.mul(scale).intoArray(out, oo[0] + j + FL);
            b1.mul(scale).intoArray(out, oo[1] + j + FL);
            b2.mul(scale).intoArray(out, oo[2] + j + FL);
            b3.mul(scale).intoArray(out, oo[3] + j + FL);
        }
        for (; j < n; j += FL) {
            VectorMask<Float> in = F.indexInRange(j, n);
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int d = 0, to = first + j; d < hd; d++, to += ld) {
                FloatVector k = FloatVector.fromArray(F, t, to, in);
                a0 = k.fma(FloatVector.broadcast(F, x[x0 + d]), a0);
                a1 = k.fma(FloatVector.broadcast(F, x[x1 + d]), a1);
                a2 = k.fma(FloatVector.broadcast(F, x[x2 + d]), a2);
                a3 = k.fma(FloatVector.broadcast(F, x[x3 + d]), a3);
            }
            a0.mul(scale).intoArray(out, oo[0] + j, in);
            a1.mul(scale).intoArray(out, oo[1] + j, in);
            a2.mul(scale).intoArray(out, oo[2] + j, in);
            a3.mul(scale).intoArray(out, oo[3] + j, in);
        }
    }

    /**
     * {@link #addWeighted} for four rows (weights from {@code wo[t]}, outputs at {@code yo[t]}) over
     * the same rows of x: each vector of x loaded once for the four; every output the same two
     * chains as there. With {@code tail}, row t has t more weights than {@code count}, over the rows
     * of x that follow (four consecutive rows of one example over its own keys), each added to the
     * chain its key's parity gives it.
     */
    private static void addWeighted4(float[] w, int[] wo, int count, boolean tail, float[] x, int xo, int xStride, int hd, float[] y, int[] yo) {
        int w0 = wo[0], w1 = wo[1], w2 = wo[2], w3 = wo[3];
        int d = 0;
        for (; d + FL <= hd; d += FL) {
            FloatVector a0 = FloatVector.fromArray(F, y, yo[0] + d), a1 = FloatVector.fromArray(F, y, yo[1] + d);
            FloatVector a2 = FloatVector.fromArray(F, y, yo[2] + d), a3 = FloatVector.fromArray(F, y, yo[3] + d);
            FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
            for (int c = 0; c < count; c += 2) { // even keys into a, odd into b: addWeighted's two chains
                FloatVector even = FloatVector.fromArray(F, x, xo + c * xStride + d);
                a0 = even.fma(FloatVector.broadcast(F, w[w0 + c]), a0);
                a1 = even.fma(FloatVector.broadcast(F, w[w1 + c]), a1);
                a2 = even.fma(FloatVector.broadcast(F, w[w2 + c]), a2);
                a3 = even.fma(FloatVector.broadcast(F, w[w3 + c]), a3);
                if (c + 1 == count) break;
                FloatVector odd = FloatVector.fromArray(F, x, xo + (c + 1) * xStride + d);
                b0 = odd.fma(FloatVector.broadcast(F, w[w0 + c + 1]), b0);
                b1 = odd.fma(FloatVector.broadcast(F, w[w1 + c + 1]), b1);
                b2 = odd.fma(FloatVector.broadcast(F, w[w2 + c + 1]), b2);
                b3 = odd.fma(FloatVector.broadcast(F, w[w3 + c + 1]), b3);
            }
            if (tail) { // key count: rows 1 to 3; count + 1: rows 2 and 3; count + 2: row 3; each into its key's parity's chain
                for (int c = count, rows = 3; rows > 0; c++, rows--) {
                    FloatVector key = FloatVector.fromArray(F, x, xo + c * xStride + d);
                    boolean even = (c & 1) == 0;
                    if (rows == 3) { FloatVector e = FloatVector.broadcast(F, w[w1 + c]); if (even) a1 = key.fma(e, a1); else b1 = key.fma(e, b1); }
                    if (rows >= 2) { FloatVector e = FloatVector.broadcast(F, w[w2 + c]); if (even) a2 = key.fma(e, a2); else b2 = key.fma(e, b2); }
                    FloatVector e = FloatVector.broadcast(F, w[w3 + c]);
                    if (even) a3 = key.fma(e, a3);
                    else b3 = key.fma(e, b3);
                }
            }
            a0.add(b0).intoArray(y, yo[0] + d);
            a1.add(b1).intoArray(y, yo[1] + d);
            a2.add(b2).intoArray(y, yo[2] + d);
            a3.add(b3).intoArray(y, yo[3] + d);
        }
        for (int t = 0; t < BLOCK; t++) addWeightedDims(w, wo[t], count + (tail ? t : 0), x, xo, xStride, d, hd, y, yo[t]);
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
        addWeightedDims(w, wo, count, x, xo, xStride, d, hd, y, yo);
    }

    /** {@link #addWeighted} for dimensions [from, hd), those past the last whole vector: one chain each. */
    private static void addWeightedDims(float[] w, int wo, int count, float[] x, int xo, int xStride, int from, int hd, float[] y, int yo) {
        for (int d = from; d < hd; d++) {
            float a = y[yo + d];
            for (int c = 0; c < count; c++) a = Math.fma(x[xo + c * xStride + d], w[wo + c], a);
            y[yo + d] = a;
        }
    }

    /** dS[so + j] = p[po + j] * (dS[so + j] - rowSum) * scale for j < n: dP, in dS, becomes the score gradient. */
    private static void scoreGradients(float[] p, int po, float[] dS, int so, int n, float rowSum, float scale) {
        for (int j = 0; j < n; j += FL) {
            VectorMask<Float> in = F.indexInRange(j, n);
            FloatVector.fromArray(F, p, po + j, in).mul(FloatVector.fromArray(F, dS, so + j, in).sub(rowSum)).mul(scale).intoArray(dS, so + j, in);
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
        rowGradientsDims(p, po, dS, so, n, dy, qs, ks, qo, ko, kvDim, d, hd, dq, dk, dv);
    }

    /** {@link #rowGradients} for dimensions [from, hd), those past the last whole vector: one chain each. */
    private static void rowGradientsDims(float[] p, int po, float[] dS, int so, int n, float[] dy, float[] qs, float[] ks, int qo, int ko, int kvDim,
                                         int from, int hd, float[] dq, float[] dk, float[] dv) {
        for (int d = from; d < hd; d++) {
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

    /**
     * {@link #rowGradients} for four rows over the same keys, their dS from {@code so[t]}: each
     * dk and dv row read and written once for the four, the rows' shares added in row order, so
     * every element gets the same chain as four calls there would give it. With {@code tail}, row t
     * has t more keys than {@code n}, the ones that follow (as in {@link #addWeighted4}).
     */
    private static void rowGradients4(float[] p, int[] po, float[] dS, int[] so, int n, boolean tail, float[] dy, float[] qs, float[] ks, int[] qo,
                                      int ko, int kvDim, int hd, float[] dq, float[] dk, float[] dv) {
        int p0 = po[0], p1 = po[1], p2 = po[2], p3 = po[3], s0 = so[0], s1 = so[1], s2 = so[2], s3 = so[3];
        int d = 0;
        for (; d + FL <= hd; d += FL) {
            FloatVector g0 = FloatVector.fromArray(F, dy, qo[0] + d), g1 = FloatVector.fromArray(F, dy, qo[1] + d);
            FloatVector g2 = FloatVector.fromArray(F, dy, qo[2] + d), g3 = FloatVector.fromArray(F, dy, qo[3] + d);
            FloatVector x0 = FloatVector.fromArray(F, qs, qo[0] + d), x1 = FloatVector.fromArray(F, qs, qo[1] + d);
            FloatVector x2 = FloatVector.fromArray(F, qs, qo[2] + d), x3 = FloatVector.fromArray(F, qs, qo[3] + d);
            FloatVector a0 = FloatVector.fromArray(F, dq, qo[0] + d), a1 = FloatVector.fromArray(F, dq, qo[1] + d);
            FloatVector a2 = FloatVector.fromArray(F, dq, qo[2] + d), a3 = FloatVector.fromArray(F, dq, qo[3] + d);
            FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
            for (int c = 0; c < n; c += 2) { // even keys into a, odd into b: rowGradients' two chains
                int o = ko + c * kvDim + d;
                addRows4(g0, g1, g2, g3, p[p0 + c], p[p1 + c], p[p2 + c], p[p3 + c], dv, o);
                FloatVector e0 = FloatVector.broadcast(F, dS[s0 + c]), e1 = FloatVector.broadcast(F, dS[s1 + c]);
                FloatVector e2 = FloatVector.broadcast(F, dS[s2 + c]), e3 = FloatVector.broadcast(F, dS[s3 + c]);
                addRows4(x0, x1, x2, x3, e0, e1, e2, e3, dk, o);
                FloatVector key = FloatVector.fromArray(F, ks, o);
                a0 = key.fma(e0, a0);
                a1 = key.fma(e1, a1);
                a2 = key.fma(e2, a2);
                a3 = key.fma(e3, a3);
                if (c + 1 == n) break;
                o += kvDim;
                addRows4(g0, g1, g2, g3, p[p0 + c + 1], p[p1 + c + 1], p[p2 + c + 1], p[p3 + c + 1], dv, o);
                e0 = FloatVector.broadcast(F, dS[s0 + c + 1]);
                e1 = FloatVector.broadcast(F, dS[s1 + c + 1]);
                e2 = FloatVector.broadcast(F, dS[s2 + c + 1]);
                e3 = FloatVector.broadcast(F, dS[s3 + c + 1]);
                addRows4(x0, x1, x2, x3, e0, e1, e2, e3, dk, o);
                key = FloatVector.fromArray(F, ks, o);
                b0 = key.fma(e0, b0);
                b1 = key.fma(e1, b1);
                b2 = key.fma(e2, b2);
                b3 = key.fma(e3, b3);
            }
            if (tail) { // key n: rows 1 to 3; n + 1: rows 2 and 3; n + 2: row 3; each key's dk and dv rows in row order
                for (int c = n, rows = 3; rows > 0; c++, rows--) {
                    int o = ko + c * kvDim + d;
                    FloatVector key = FloatVector.fromArray(F, ks, o), dvc = FloatVector.fromArray(F, dv, o), dkc = FloatVector.fromArray(F, dk, o);
                    boolean even = (c & 1) == 0;
                    if (rows == 3) {
                        FloatVector e = FloatVector.broadcast(F, dS[s1 + c]);
                        dvc = g1.fma(FloatVector.broadcast(F, p[p1 + c]), dvc);
                        dkc = x1.fma(e, dkc);
                        if (even) a1 = key.fma(e, a1); else b1 = key.fma(e, b1);
                    }
                    if (rows >= 2) {
                        FloatVector e = FloatVector.broadcast(F, dS[s2 + c]);
                        dvc = g2.fma(FloatVector.broadcast(F, p[p2 + c]), dvc);
                        dkc = x2.fma(e, dkc);
                        if (even) a2 = key.fma(e, a2); else b2 = key.fma(e, b2);
                    }
                    FloatVector e = FloatVector.broadcast(F, dS[s3 + c]);
                    g3.fma(FloatVector.broadcast(F, p[p3 + c]), dvc).intoArray(dv, o);
                    x3.fma(e, dkc).intoArray(dk, o);
                    if (even) a3 = key.fma(e, a3);
                    else b3 = key.fma(e, b3);
                }
            }
            a0.add(b0).intoArray(dq, qo[0] + d);
            a1.add(b1).intoArray(dq, qo[1] + d);
            a2.add(b2).intoArray(dq, qo[2] + d);
            a3.add(b3).intoArray(dq, qo[3] + d);
        }
        // rows in order, so each dk and dv element still takes the rows' shares in row order
        for (int t = 0; t < BLOCK; t++) rowGradientsDims(p, po[t], dS, so[t], n + (tail ? t : 0), dy, qs, ks, qo[t], ko, kvDim, d, hd, dq, dk, dv);
    }

    /** y[o ..] += s0 * v0, then s1 * v1, s2 * v2, s3 * v3: four rows' shares, in row order, one load and store. */
    private static void addRows4(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3, float s0, float s1, float s2, float s3, float[] y, int o) {
        addRows4(v0, v1, v2, v3, FloatVector.broadcast(F, s0), FloatVector.broadcast(F, s1), FloatVector.broadcast(F, s2), FloatVector.broadcast(F, s3), y, o);
    }

    private static void addRows4(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3, FloatVector s0, FloatVector s1, FloatVector s2,
                                 FloatVector s3, float[] y, int o) {
        FloatVector a = FloatVector.fromArray(F, y, o);
        a = v0.fma(s0, a);
        a = v1.fma(s1, a);
        a = v2.fma(s2, a);
        v3.fma(s3, a).intoArray(y, o);
    }

    /** y[o ..] += s * v. */
    private static void addScaled(FloatVector v, float s, float[] y, int o) {
        v.fma(FloatVector.broadcast(F, s), FloatVector.fromArray(F, y, o)).intoArray(y, o);
    }
}

package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * Vectorized exp for softmax rows (training's cross-entropy over the vocabulary, attention) and
 * SwiGLU's gate. Built only from IEEE-exact lane operations (add, mul, fma, bit shifts) rather than
 * the Vector API's EXP, whose compiled and interpreted forms may differ in the last bit: a training
 * run must reproduce itself bit for bit, and decoding give the same logits, whatever the JIT has
 * compiled yet. Cephes' expf: 2^n times a degree-6 polynomial on [-ln2/2, ln2/2], within 2 ulp;
 * inputs below -87 give exp(-87) (~1.6e-38) instead of a denormal, above 88 exp(88) instead of
 * infinity.
 */
public final class ExpSum {
    private ExpSum() {}

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    /** exp of every lane. */
    static FloatVector exp(FloatVector x) {
        x = x.max(-87f).min(88f);
        FloatVector shifted = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND));
        FloatVector n = shifted.sub(ROUND);
        IntVector ni = shifted.reinterpretAsInts().sub(ROUND_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(F, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        FloatVector pow2n = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(pow2n);
    }

    /** Largest of x[off .. off+n), n >= 1 (exact in any order). */
    public static float max(float[] x, int off, int n) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i += FL) {
            VectorMask<Float> in = F.indexInRange(i, n);
            m = FloatVector.fromArray(F, x, off + i, in).blend(Float.NEGATIVE_INFINITY, in.not()).max(m); // receiver: as in Softmax
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * Sum of exp(x[off + i] - shift) for i in [0, n), added lane by lane and the lanes in
     * {@link Simd#sum}'s order: the same on every run. Two accumulators so that the adds do not
     * wait on each other: while two whole vectors remain, the first goes to acc0 and the second to
     * acc1; the rest (at most two vectors, the last maybe partial) to acc0. One call of
     * {@link #exp} in the loop, not one per accumulator: inlined where the caller is already
     * large (the cross-entropy row's loop), a second copy passed C2's node budget, and the
     * copy left out of line worked on boxed vectors through the Vector API's Java fallback.
     */
    public static float sum(float[] x, int off, int n, float shift) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int paired = n / (2 * FL) * (2 * FL);
        for (int i = 0; i < n; i += FL) {
            VectorMask<Float> in = F.indexInRange(i, n);
            FloatVector e = exp(FloatVector.fromArray(F, x, off + i, in).sub(shift));
            if (i < paired && (i & FL) != 0) acc1 = acc1.add(e);
            else acc0 = acc0.add(e, in);
        }
        return Simd.sum(acc0.add(acc1));
    }

    /** x[off + i] = g * exp(x[off + i] - shift) for i in [0, n), in place: a row of logits becomes g times its softmax. */
    public static void scaleExp(float g, float[] x, int off, float shift, int n) {
        for (int i = 0; i < n; i += FL) {
            VectorMask<Float> in = F.indexInRange(i, n);
            exp(FloatVector.fromArray(F, x, off + i, in).sub(shift)).mul(g).intoArray(x, off + i, in);
        }
    }
}

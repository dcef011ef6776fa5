package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static org.knowcoder.tensor.kernels.Simd.B;
import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;
import static org.knowcoder.tensor.kernels.Simd.I;

/**
 * Row-level access to weight matrices in every weight dtype: dot products of rows with an
 * activation vector (decoding, memory-bound) and widening one row to floats (prefill, embedding).
 *
 * <p>16-bit weights are read as ints, each holding the pair (w[2j], w[2j+1]); the even element is
 * the low half. Widening both halves with shifts and masks is cheaper than lane shuffles, so the
 * activation is given de-interleaved: {@link #splitPairs} puts the even elements first, then the odd.
 */
public final class WeightRows {
    private WeightRows() {}

    /** Rows a call to {@link #dot} computes at once. */
    public static final int ROWS = 4;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Whether {@link #dot} wants the activation de-interleaved by {@link #splitPairs}. */
    public static boolean wantsSplit(DType dtype) {
        return dtype == DType.BF16 || dtype == DType.F16;
    }

    /** Writes x[xo + 2j] to split[j] and x[xo + 2j + 1] to split[n/2 + j] for j < n/2. */
    public static void splitPairs(float[] x, int xo, int n, float[] split) {
        int pairs = n / 2;
        for (int j = 0; j < pairs; j++) {
            split[j] = x[xo + 2 * j];
            split[pairs + j] = x[xo + 2 * j + 1];
        }
    }

    /**
     * out[oo + k] = row (row + k) of {@code w} dotted with x[xo .. xo+cols), for k < count <= {@link #ROWS}.
     * Four rows stream side by side, sharing each activation load: four independent memory streams
     * keep more loads in flight than one row at a time, which is what a memory-bound product needs
     * (measured: about twice the GB/s of a one-row loop). A short block repeats its last row rather
     * than having code of its own. {@code split} is x de-interleaved when {@link #wantsSplit}.
     */
    public static void dot(Tensor w, long row, int count, float[] x, int xo, float[] split, float[] out, int oo) {
        int n = w.cols();
        long r1 = row + Math.min(1, count - 1), r2 = row + Math.min(2, count - 1), r3 = row + Math.min(3, count - 1);
        switch (w.dtype()) {
            case F32 -> dotF32(w.data(), n, row, r1, r2, r3, x, xo, out, oo, count);
            case BF16, F16 -> dot16(w.data(), w.dtype() == DType.BF16, n, row, r1, r2, r3, x, xo, split, out, oo, count);
            case Q8_0 -> dotQ8(w, n, row, r1, r2, r3, x, xo, out, oo, count);
        }
    }

    private static void dotF32(MemorySegment w, int n, long r0, long r1, long r2, long r3,
                               float[] x, int xo, float[] out, int oo, int count) {
        long o0 = r0 * n * 4L, o1 = r1 * n * 4L, o2 = r2 * n * 4L, o3 = r3 * n * 4L;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            long d = i * 4L;
            a0 = FloatVector.fromMemorySegment(F, w, o0 + d, LE).fma(v, a0);
            a1 = FloatVector.fromMemorySegment(F, w, o1 + d, LE).fma(v, a1);
            a2 = FloatVector.fromMemorySegment(F, w, o2 + d, LE).fma(v, a2);
            a3 = FloatVector.fromMemorySegment(F, w, o3 + d, LE).fma(v, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float v = x[xo + i];
            long d = i * 4L;
            s0 += w.get(Tensor.F32_LE, o0 + d) * v;
            s1 += w.get(Tensor.F32_LE, o1 + d) * v;
            s2 += w.get(Tensor.F32_LE, o2 + d) * v;
            s3 += w.get(Tensor.F32_LE, o3 + d) * v;
        }
        store(out, oo, count, s0, s1, s2, s3);
    }

    private static void dot16(MemorySegment w, boolean bf16, int n, long r0, long r1, long r2, long r3,
                              float[] x, int xo, float[] split, float[] out, int oo, int count) {
        int pairs = n / 2;
        long o0 = r0 * n * 2L, o1 = r1 * n * 2L, o2 = r2 * n * 2L, o3 = r3 * n * 2L;
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector d0 = FloatVector.zero(F), d1 = FloatVector.zero(F), d2 = FloatVector.zero(F), d3 = FloatVector.zero(F);
        int j = 0;
        for (int bound = pairs - FL; j <= bound; j += FL) {
            FloatVector even = FloatVector.fromArray(F, split, j), odd = FloatVector.fromArray(F, split, pairs + j);
            long d = j * 4L;
            IntVector p0 = IntVector.fromMemorySegment(I, w, o0 + d, LE), p1 = IntVector.fromMemorySegment(I, w, o1 + d, LE);
            IntVector p2 = IntVector.fromMemorySegment(I, w, o2 + d, LE), p3 = IntVector.fromMemorySegment(I, w, o3 + d, LE);
            e0 = low(p0, bf16).fma(even, e0);
            d0 = high(p0, bf16).fma(odd, d0);
            e1 = low(p1, bf16).fma(even, e1);
            d1 = high(p1, bf16).fma(odd, d1);
            e2 = low(p2, bf16).fma(even, e2);
            d2 = high(p2, bf16).fma(odd, d2);
            e3 = low(p3, bf16).fma(even, e3);
            d3 = high(p3, bf16).fma(odd, d3);
        }
        float s0 = e0.add(d0).reduceLanes(VectorOperators.ADD), s1 = e1.add(d1).reduceLanes(VectorOperators.ADD);
        float s2 = e2.add(d2).reduceLanes(VectorOperators.ADD), s3 = e3.add(d3).reduceLanes(VectorOperators.ADD);
        for (int i = 2 * j; i < n; i++) {
            float v = x[xo + i];
            s0 += widen16(w.get(Tensor.I16_LE, o0 + i * 2L), bf16) * v;
            s1 += widen16(w.get(Tensor.I16_LE, o1 + i * 2L), bf16) * v;
            s2 += widen16(w.get(Tensor.I16_LE, o2 + i * 2L), bf16) * v;
            s3 += widen16(w.get(Tensor.I16_LE, o3 + i * 2L), bf16) * v;
        }
        store(out, oo, count, s0, s1, s2, s3);
    }

    /** The even (low-half) 16-bit weights of each int lane as floats. */
    private static FloatVector low(IntVector pairs, boolean bf16) {
        return bf16 ? pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats() : f16ToF32(pairs.and(0xFFFF));
    }

    /** The odd (high-half) 16-bit weights of each int lane as floats. */
    private static FloatVector high(IntVector pairs, boolean bf16) {
        return bf16 ? pairs.and(0xFFFF0000).reinterpretAsFloats() : f16ToF32(pairs.lanewise(VectorOperators.LSHR, 16));
    }

    private static float widen16(short bits, boolean bf16) {
        return bf16 ? Float.intBitsToFloat((bits & 0xFFFF) << 16) : Float.float16ToFloat(bits);
    }

    /**
     * Widens F16 bit patterns (one per int lane, upper half zero) exactly: the magnitude bits shifted
     * into F32 position and scaled by 2^112 re-bias the exponent and normalize subnormals in one
     * multiply; infinities and NaNs (exponent all ones) are patched in; the sign is or-ed back.
     */
    static FloatVector f16ToF32(IntVector h) {
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        FloatVector value = shifted.reinterpretAsFloats().mul(0x1p112f);
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = value.reinterpretAsInts().blend(shifted.or(0x7F800000), special);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** Q8_0: per group, the int8 products are summed, then scaled once by the group's scale. */
    private static void dotQ8(Tensor w, int n, long r0, long r1, long r2, long r3,
                              float[] x, int xo, float[] out, int oo, int count) {
        int gs = w.groupSize();
        MemorySegment q = w.data(), scales = w.scales();
        long b0 = r0 * n, b1 = r1 * n, b2 = r2 * n, b3 = r3 * n;
        // the vector loop assumes each row starts a group: not so when groups straddle rows
        if (!Simd.WIDEN_BYTES || gs % FL != 0 || n % gs != 0) {
            store(out, oo, count, dotScalar(w, b0, x, xo, n), dotScalar(w, b1, x, xo, n),
                    dotScalar(w, b2, x, xo, n), dotScalar(w, b3, x, xo, n));
            return;
        }
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int g = 0; g < n; g += gs) {
            FloatVector g0 = FloatVector.zero(F), g1 = FloatVector.zero(F), g2 = FloatVector.zero(F), g3 = FloatVector.zero(F);
            for (int k = g; k < g + gs; k += FL) {
                FloatVector v = FloatVector.fromArray(F, x, xo + k);
                g0 = widen(q, b0 + k).fma(v, g0);
                g1 = widen(q, b1 + k).fma(v, g1);
                g2 = widen(q, b2 + k).fma(v, g2);
                g3 = widen(q, b3 + k).fma(v, g3);
            }
            a0 = g0.fma(scale(scales, b0 + g, gs), a0);
            a1 = g1.fma(scale(scales, b1 + g, gs), a1);
            a2 = g2.fma(scale(scales, b2 + g, gs), a2);
            a3 = g3.fma(scale(scales, b3 + g, gs), a3);
        }
        store(out, oo, count, a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD));
    }

    private static FloatVector scale(MemorySegment scales, long index, int gs) {
        return FloatVector.broadcast(F, scales.get(Tensor.F32_LE, index / gs * 4));
    }

    /** Fallback for Q8_0 groups that are not a whole number of vectors. */
    private static float dotScalar(Tensor w, long base, float[] x, int xo, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += w.get(base + i) * x[xo + i];
        return sum;
    }

    private static FloatVector widen(MemorySegment q, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    private static void store(float[] out, int oo, int count, float s0, float s1, float s2, float s3) {
        out[oo] = s0;
        if (count > 1) out[oo + 1] = s1;
        if (count > 2) out[oo + 2] = s2;
        if (count > 3) out[oo + 3] = s3;
    }

    /** Widens row {@code row} of {@code w} into dst[off .. off+cols). */
    public static void decode(Tensor w, long row, float[] dst, int off) {
        int n = w.cols();
        MemorySegment seg = w.data();
        int i = 0;
        switch (w.dtype()) {
            case F32 -> MemorySegment.copy(seg, Tensor.F32_LE, row * n * 4L, dst, off, n);
            case BF16, F16 -> {
                boolean bf16 = w.dtype() == DType.BF16;
                long base = row * n * 2L;
                for (; i < n; i++) dst[off + i] = widen16(seg.get(Tensor.I16_LE, base + i * 2L), bf16);
            }
            case Q8_0 -> {
                int gs = w.groupSize();
                long base = row * n;
                if (Simd.WIDEN_BYTES && gs % FL == 0 && n % gs == 0) {
                    for (; i < n; i += FL) widen(seg, base + i).mul(scale(w.scales(), base + i, gs)).intoArray(dst, off + i);
                }
                for (; i < n; i++) dst[off + i] = w.get(base + i);
            }
        }
    }
}

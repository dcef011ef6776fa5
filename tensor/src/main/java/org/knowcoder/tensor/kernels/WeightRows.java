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
 * Row-level access to weight matrices in every weight dtype: the dot product of one row with an
 * activation vector (decoding, memory-bound) and widening one row to floats (prefill, embedding).
 *
 * <p>16-bit weights are read as ints, each holding the pair (w[2j], w[2j+1]); the even element is
 * the low half. Widening both halves with shifts and masks is cheaper than lane shuffles, so the
 * activation is given de-interleaved: {@link #splitPairs} puts the even elements first, then the odd.
 */
public final class WeightRows {
    private WeightRows() {}

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

    /** Row {@code row} of {@code w} dotted with x[xo .. xo+cols); {@code split} is x split when {@link #wantsSplit}. */
    public static float dot(Tensor w, long row, float[] x, int xo, float[] split) {
        int n = w.cols();
        MemorySegment seg = w.data();
        return switch (w.dtype()) {
            case F32 -> dotF32(seg, row * n * 4L, x, xo, n);
            case BF16 -> dotBf16(seg, row * n * 2L, x, xo, split, n);
            case F16 -> dotF16(seg, row * n * 2L, x, xo, split, n);
            case Q8_0 -> dotQ8(w, row, x, xo, n);
        };
    }

    static float dotF32(MemorySegment w, long off, float[] x, int xo, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 4 * FL; i <= bound; i += 4 * FL) {
            long o = off + i * 4L;
            acc0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, xo + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, o + 4L * FL, LE).fma(FloatVector.fromArray(F, x, xo + i + FL), acc1);
            acc2 = FloatVector.fromMemorySegment(F, w, o + 8L * FL, LE).fma(FloatVector.fromArray(F, x, xo + i + 2 * FL), acc2);
            acc3 = FloatVector.fromMemorySegment(F, w, o + 12L * FL, LE).fma(FloatVector.fromArray(F, x, xo + i + 3 * FL), acc3);
        }
        for (int bound = n - FL; i <= bound; i += FL) {
            acc0 = FloatVector.fromMemorySegment(F, w, off + i * 4L, LE).fma(FloatVector.fromArray(F, x, xo + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += w.get(Tensor.F32_LE, off + i * 4L) * x[xo + i];
        return sum;
    }

    static float dotBf16(MemorySegment w, long off, float[] x, int xo, float[] split, int n) {
        int pairs = n / 2;
        FloatVector accE0 = FloatVector.zero(F), accO0 = FloatVector.zero(F);
        FloatVector accE1 = FloatVector.zero(F), accO1 = FloatVector.zero(F);
        int j = 0;
        for (int bound = pairs - 2 * FL; j <= bound; j += 2 * FL) {
            IntVector p0 = IntVector.fromMemorySegment(I, w, off + j * 4L, LE);
            IntVector p1 = IntVector.fromMemorySegment(I, w, off + (j + FL) * 4L, LE);
            accE0 = p0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, j), accE0);
            accO0 = p0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, pairs + j), accO0);
            accE1 = p1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, j + FL), accE1);
            accO1 = p1.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, pairs + j + FL), accO1);
        }
        for (int bound = pairs - FL; j <= bound; j += FL) {
            IntVector p = IntVector.fromMemorySegment(I, w, off + j * 4L, LE);
            accE0 = p.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, j), accE0);
            accO0 = p.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, pairs + j), accO0);
        }
        float sum = accE0.add(accO0).add(accE1.add(accO1)).reduceLanes(VectorOperators.ADD);
        for (int i = 2 * j; i < n; i++) {
            sum += Float.intBitsToFloat((w.get(Tensor.I16_LE, off + i * 2L) & 0xFFFF) << 16) * x[xo + i];
        }
        return sum;
    }

    static float dotF16(MemorySegment w, long off, float[] x, int xo, float[] split, int n) {
        int pairs = n / 2;
        FloatVector accE = FloatVector.zero(F), accO = FloatVector.zero(F);
        int j = 0;
        for (int bound = pairs - FL; j <= bound; j += FL) {
            IntVector p = IntVector.fromMemorySegment(I, w, off + j * 4L, LE);
            accE = f16ToF32(p.and(0xFFFF)).fma(FloatVector.fromArray(F, split, j), accE);
            accO = f16ToF32(p.lanewise(VectorOperators.LSHR, 16)).fma(FloatVector.fromArray(F, split, pairs + j), accO);
        }
        float sum = accE.add(accO).reduceLanes(VectorOperators.ADD);
        for (int i = 2 * j; i < n; i++) sum += Float.float16ToFloat(w.get(Tensor.I16_LE, off + i * 2L)) * x[xo + i];
        return sum;
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

    static float dotQ8(Tensor w, long row, float[] x, int xo, int n) {
        int gs = w.groupSize();
        MemorySegment q = w.data(), scales = w.scales();
        long base = row * n;
        // the vector loop assumes each row starts a group: not so when groups straddle rows
        if (gs % FL != 0 || n % gs != 0) return dotQ8Scalar(w, base, x, xo, n);
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0; g < n; g += gs) {
            FloatVector g0 = FloatVector.zero(F), g1 = FloatVector.zero(F);
            int k = 0;
            for (; k + 2 * FL <= gs; k += 2 * FL) {
                g0 = widen(q, base + g + k).fma(FloatVector.fromArray(F, x, xo + g + k), g0);
                g1 = widen(q, base + g + k + FL).fma(FloatVector.fromArray(F, x, xo + g + k + FL), g1);
            }
            for (; k < gs; k += FL) g0 = widen(q, base + g + k).fma(FloatVector.fromArray(F, x, xo + g + k), g0);
            float scale = scales.get(Tensor.F32_LE, (base + g) / gs * 4);
            acc = g0.add(g1).fma(FloatVector.broadcast(F, scale), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static float dotQ8Scalar(Tensor w, long base, float[] x, int xo, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += w.get(base + i) * x[xo + i];
        return sum;
    }

    private static FloatVector widen(MemorySegment q, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Widens row {@code row} of {@code w} into dst[off .. off+cols). */
    public static void decode(Tensor w, long row, float[] dst, int off) {
        int n = w.cols();
        MemorySegment seg = w.data();
        int i = 0;
        switch (w.dtype()) {
            case F32 -> MemorySegment.copy(seg, Tensor.F32_LE, row * n * 4L, dst, off, n);
            case BF16 -> {
                long base = row * n * 2L;
                for (; i < n; i++) dst[off + i] = Float.intBitsToFloat((seg.get(Tensor.I16_LE, base + i * 2L) & 0xFFFF) << 16);
            }
            case Q8_0 -> {
                int gs = w.groupSize();
                long base = row * n;
                if (gs % FL == 0 && n % gs == 0) {
                    for (; i < n; i += FL) {
                        float scale = w.scales().get(Tensor.F32_LE, (base + i) / gs * 4);
                        widen(seg, base + i).mul(scale).intoArray(dst, off + i);
                    }
                }
                for (; i < n; i++) dst[off + i] = w.get(base + i);
            }
            case F16 -> {
                long base = row * n * 2L;
                for (; i < n; i++) dst[off + i] = Float.float16ToFloat(seg.get(Tensor.I16_LE, base + i * 2L));
            }
        }
    }
}

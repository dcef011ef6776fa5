package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;
import static org.knowcoder.tensor.kernels.Simd.I;

/**
 * The Q4_0 and Q4_K row kernels of {@link WeightRows}: dot products for decoding and rows widened
 * for prefill, over the layout of {@link Q4}.
 *
 * <p>A vector of FL ints of a whole chunk holds, at nibble position p, FL consecutive values of one
 * block of 32 (p / 2 of the chunk's four). A position is taken out with a mask alone, not shifted
 * down: the masked int is q * 16^(p % 4) (positions 4..7 after one shift of the whole vector by 16),
 * which ORed into the bits of 1.5 * 2^23 and reinterpreted is exactly 1.5 * 2^23 + q * 16^(p % 4),
 * so one subtraction gives the value (minus 8 for Q4_0) times 16^(p % 4), and {@link #prepare}
 * scales the activations of position p by 16^-(p % 4), exactly (a power of two). Three operations
 * a position instead of four with a shift; an int-to-float conversion would grow C2's graph past
 * its inlining limit, as in the Q8_0 kernel.
 *
 * <p>The last, partial chunk of a row that is not a multiple of 128 values goes through the scalar
 * code, as do vectors wider than 16 floats (a chunk is 16 ints).
 */
final class Q4Rows {
    private Q4Rows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Whether the vector kernels apply: a vector of ints covers a chunk or an equal part of one. */
    static final boolean VECTOR = FL <= Q4.CHUNK / 8 && FL >= 4;
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    /** 16^-(p % 4) for nibble position p: what {@link #prepare} multiplies its activations by. */
    private static final float[] UNSCALE = {1f, 1f / 16, 1f / 256, 1f / 4096};

    /** Bytes {@link #prepare} writes for a row of n values: the activations, then (Q4_K) one sum per block. */
    static long activationBytes(int n) {
        return 4L * (n + n / Q4.BLOCK);
    }

    /**
     * x[xo .. xo+n) into xs as the kernels read it: the whole chunks' values scaled per nibble
     * position (see the class comment), the rest as is; for Q4_K then the sum of each block's 32
     * activations, for its mins.
     */
    static void prepare(Tensor w, float[] x, int xo, MemorySegment xs) {
        int n = w.cols(), whole = VECTOR ? n - n % Q4.CHUNK : 0;
        for (int i = 0; i < n; i++) {
            float f = i < whole ? UNSCALE[i % Q4.CHUNK / 16 % 4] : 1f;
            xs.setAtIndex(Tensor.F32_LE, i, x[xo + i] * f);
        }
        if (w.dtype() != DType.Q4_K) return;
        for (int b = 0; b < n; b += Q4.BLOCK) {
            float sum = 0;
            for (int i = b; i < b + Q4.BLOCK; i++) sum += x[xo + i];
            xs.setAtIndex(Tensor.F32_LE, n + b / Q4.BLOCK, sum);
        }
    }

    /** out[oo + r] = row r of w dotted with the activation {@link #prepare}d in xs, rows [from, to). */
    static void dot(Tensor w, int from, int to, MemorySegment xs, float[] out, int oo) {
        int n = w.cols();
        boolean q40 = w.dtype() == DType.Q4_0;
        for (int r = from; r < to; r++) {
            float s = !VECTOR ? 0 : q40 ? dotQ40(w, n, r, xs) : dotQ4K(w, n, r, xs) - minTerm(w, n, r, xs);
            out[oo + r] = s + tail(w, n, r, xs);
        }
    }

    /**
     * Q4_0 row r's whole chunks: per vector the products of its eight positions, summed per block
     * (two positions) and scaled by the block's d. One flat loop over vectors, as the Q8_0 kernel.
     */
    private static float dotQ40(Tensor w, int n, long r, MemorySegment xs) {
        MemorySegment q = w.data(), scales = w.scales();
        long base = r * (n / 2), end = (long) (n - n % Q4.CHUNK) / 2, firstBlock = r * (n / Q4.BLOCK);
        FloatVector acc = FloatVector.zero(F);
        for (long o = 0; o < end; o += 4L * FL) {
            IntVector lo = IntVector.fromMemorySegment(I, q, base + o, LE), hi = lo.lanewise(VectorOperators.LSHR, 16);
            long x = activation(o), s = (firstBlock + o / 16 / 4 * 4) * 4;
            FloatVector b0 = nibble(lo, 0x000F, Q40_SUB0).mul(load(xs, x));
            b0 = nibble(lo, 0x00F0, Q40_SUB1).fma(load(xs, x + 64), b0);
            acc = b0.fma(broadcast(scales, s), acc);
            FloatVector b1 = nibble(lo, 0x0F00, Q40_SUB2).mul(load(xs, x + 128));
            b1 = nibble(lo, 0xF000, Q40_SUB3).fma(load(xs, x + 192), b1);
            acc = b1.fma(broadcast(scales, s + 4), acc);
            FloatVector b2 = nibble(hi, 0x000F, Q40_SUB0).mul(load(xs, x + 256));
            b2 = nibble(hi, 0x00F0, Q40_SUB1).fma(load(xs, x + 320), b2);
            acc = b2.fma(broadcast(scales, s + 8), acc);
            FloatVector b3 = nibble(hi, 0x0F00, Q40_SUB2).mul(load(xs, x + 384));
            b3 = nibble(hi, 0xF000, Q40_SUB3).fma(load(xs, x + 448), b3);
            acc = b3.fma(broadcast(scales, s + 12), acc);
        }
        return Simd.sum(acc);
    }

    /** Q4_K row r (all whole chunks: rows are multiples of 256) without the mins: per block d * sc times the products of its codes. */
    private static float dotQ4K(Tensor w, int n, long r, MemorySegment xs) {
        MemorySegment q = w.data(), scales = w.scales();
        long base = r * (n / 2), end = n / 2, firstRecord = r * (n / Q4.SUPER);
        FloatVector acc = FloatVector.zero(F);
        for (long o = 0; o < end; o += 4L * FL) {
            IntVector lo = IntVector.fromMemorySegment(I, q, base + o, LE), hi = lo.lanewise(VectorOperators.LSHR, 16);
            long x = activation(o), record = (firstRecord + o / (Q4.SUPER / 2)) * Q4.RECORD;
            long sc = record + o % (Q4.SUPER / 2) / 64 * 4; // the chunk's first block's scale byte
            float d = scales.get(Tensor.F32_LE, record + Q4.D);
            FloatVector b0 = nibble(lo, 0x000F, MAGIC).mul(load(xs, x));
            b0 = nibble(lo, 0x00F0, MAGIC).fma(load(xs, x + 64), b0);
            acc = b0.fma(subScale(scales, sc, d), acc);
            FloatVector b1 = nibble(lo, 0x0F00, MAGIC).mul(load(xs, x + 128));
            b1 = nibble(lo, 0xF000, MAGIC).fma(load(xs, x + 192), b1);
            acc = b1.fma(subScale(scales, sc + 1, d), acc);
            FloatVector b2 = nibble(hi, 0x000F, MAGIC).mul(load(xs, x + 256));
            b2 = nibble(hi, 0x00F0, MAGIC).fma(load(xs, x + 320), b2);
            acc = b2.fma(subScale(scales, sc + 2, d), acc);
            FloatVector b3 = nibble(hi, 0x0F00, MAGIC).mul(load(xs, x + 384));
            b3 = nibble(hi, 0xF000, MAGIC).fma(load(xs, x + 448), b3);
            acc = b3.fma(subScale(scales, sc + 3, d), acc);
        }
        return Simd.sum(acc);
    }

    /** Sum over row r's Q4_K blocks of dmin * m times the block's activation sum (stored by {@link #prepare}). */
    private static float minTerm(Tensor w, int n, long r, MemorySegment xs) {
        MemorySegment scales = w.scales();
        long firstRecord = r * (n / Q4.SUPER);
        float total = 0;
        for (int s = 0; s < n / Q4.SUPER; s++) {
            long record = (firstRecord + s) * Q4.RECORD;
            float sum = 0;
            for (int j = 0; j < Q4.SUPER / Q4.BLOCK; j++) {
                sum += scales.get(ValueLayout.JAVA_BYTE, record + 8 + j) * xs.getAtIndex(Tensor.F32_LE, n + s * 8L + j);
            }
            total += scales.get(Tensor.F32_LE, record + Q4.DMIN) * sum;
        }
        return total;
    }

    /** The values of row r past its whole chunks (all of them without {@link #VECTOR}), scalar. */
    private static float tail(Tensor w, int n, long r, MemorySegment xs) {
        float sum = 0;
        for (int i = VECTOR ? n - n % Q4.CHUNK : 0; i < n; i++) sum += Q4.value(w, r * n + i) * xs.getAtIndex(Tensor.F32_LE, i);
        return sum;
    }

    /**
     * Row {@code row} of w widened into dst[off .. off+cols): per vector and nibble position, FL
     * consecutive values times their block's scale (times 16^-(p % 4), see the class comment); for
     * Q4_K less dmin * m, in one fused step, so each value is rounded once as {@link Q4#value} rounds it.
     */
    static void decode(Tensor w, long row, float[] dst, int off) {
        int n = w.cols(), whole = VECTOR ? n - n % Q4.CHUNK : 0;
        boolean q40 = w.dtype() == DType.Q4_0;
        MemorySegment q = w.data(), scales = w.scales();
        long base = row * (n / 2);
        for (long o = 0; o < whole / 2; o += 4L * FL) {
            IntVector lo = IntVector.fromMemorySegment(I, q, base + o, LE), hi = lo.lanewise(VectorOperators.LSHR, 16);
            int at = off + (int) (activation(o) / 4);
            for (int p = 0; p < 8; p++) {
                IntVector v = p < 4 ? lo : hi;
                int mask = 0xF << 4 * (p % 4);
                long block = (row * n + at - off + 16L * p) / Q4.BLOCK;
                float unscale = UNSCALE[p % 4];
                if (q40) {
                    float d = scales.get(Tensor.F32_LE, block * 4) * unscale;
                    nibble(v, mask, MAGIC + 8f * mask / 0xF).mul(d).intoArray(dst, at + 16 * p);
                } else {
                    long record = block / 8 * Q4.RECORD;
                    int j = (int) (block % 8);
                    float step = scales.get(Tensor.F32_LE, record + Q4.D) * scales.get(ValueLayout.JAVA_BYTE, record + j) * unscale;
                    float min = scales.get(Tensor.F32_LE, record + Q4.DMIN) * scales.get(ValueLayout.JAVA_BYTE, record + 8 + j);
                    nibble(v, mask, MAGIC).fma(FloatVector.broadcast(F, step), FloatVector.broadcast(F, -min)).intoArray(dst, at + 16 * p);
                }
            }
        }
        for (int i = whole; i < n; i++) dst[off + i] = Q4.value(w, row * n + i);
    }

    /**
     * Byte offset in the prepared activation of the values that nibble position 0 of the vector of
     * ints at byte o of a row's nibbles holds (position p's are 64 p bytes on: 16 floats).
     */
    private static long activation(long o) {
        return (o / 64 * Q4.CHUNK + o % 64 / 4) * 4;
    }

    /** 1.5 * 2^23 + 16^k q (positions k and k + 4, see the class comment) minus {@code sub}, exactly. */
    private static FloatVector nibble(IntVector v, int mask, float sub) {
        return v.and(mask).or(MAGIC_BITS).reinterpretAsFloats().sub(sub);
    }

    /** What nibble position p of Q4_0 subtracts: the magic and the code's offset 8 in its own scale 16^(p % 4). */
    private static final float Q40_SUB0 = MAGIC + 8, Q40_SUB1 = MAGIC + 8 * 16, Q40_SUB2 = MAGIC + 8 * 256, Q40_SUB3 = MAGIC + 8 * 4096;

    private static FloatVector load(MemorySegment xs, long offset) {
        return FloatVector.fromMemorySegment(F, xs, offset, LE);
    }

    private static FloatVector broadcast(MemorySegment scales, long offset) {
        return FloatVector.broadcast(F, scales.get(Tensor.F32_LE, offset));
    }

    /** d * sc for the Q4_K block whose 6-bit scale is the byte at {@code at}. */
    private static FloatVector subScale(MemorySegment scales, long at, float d) {
        return FloatVector.broadcast(F, d * scales.get(ValueLayout.JAVA_BYTE, at));
    }
}

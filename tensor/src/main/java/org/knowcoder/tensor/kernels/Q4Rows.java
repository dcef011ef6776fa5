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
    /** Vectors of ints per chunk of nibbles (64 bytes). */
    private static final int VECTORS = Q4.CHUNK / 8 / FL;
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
        boolean q40 = w.dtype() == DType.Q4_0, scalar = !VECTOR || n % Q4.CHUNK != 0;
        for (int r = from; r < to; r++) {
            float s = !VECTOR ? 0 : q40 ? dotQ40(w, n, r, xs, 0) + dotQ40(w, n, r, xs, 1)
                    : dotQ4K(w, n, r, xs, 0) + dotQ4K(w, n, r, xs, 1) - minTerm(w, n, r, xs);
            out[oo + r] = scalar ? s + tail(w, n, r, xs) : s;
        }
    }

    /*
     * The kernels take half a vector's nibble positions per call (half 0: positions 0..3, blocks 0
     * and 1 of each chunk; half 1: positions 4..7 after a shift by 16), and a row is two calls: all
     * eight positions in one loop took C2 past its inlining node limit (NodeCountInliningCutoff), and
     * the vector operations it left out of line allocated (600 times slower). The second call reads
     * the row again from L1.
     */

    /**
     * Q4_0 row r's whole chunks, one half of the nibble positions: per vector the products of two
     * positions per block, summed and scaled by the block's d. One flat loop over vectors, as the
     * Q8_0 kernel (a loop over chunks around one over their vectors was 20% slower); the two blocks
     * accumulate apart, so that no chain of dependent FMAs runs through an iteration.
     */
    private static float dotQ40(Tensor w, int n, long r, MemorySegment xs, int half) {
        MemorySegment q = w.data(), scales = w.scales();
        long base = r * (n / 2), end = (long) (n - n % Q4.CHUNK) / 2, firstScale = (r * (n / Q4.BLOCK) + 2 * half) * 4;
        int shift = 16 * half;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (long o = 0; o < end; o += 4L * FL) {
            IntVector codes = IntVector.fromMemorySegment(I, q, base + o, LE).lanewise(VectorOperators.LSHR, shift);
            long x = activation(o) + 256L * half, s = firstScale + o / 64 * 16;
            FloatVector b0 = nibble(codes, MASK0, Q40_SUB0).mul(load(xs, x));
            b0 = nibble(codes, MASK1, Q40_SUB1).fma(load(xs, x + 64), b0);
            acc0 = b0.fma(broadcast(scales, s), acc0);
            FloatVector b1 = nibble(codes, MASK2, Q40_SUB2).mul(load(xs, x + 128));
            b1 = nibble(codes, MASK3, Q40_SUB3).fma(load(xs, x + 192), b1);
            acc1 = b1.fma(broadcast(scales, s + 4), acc1);
        }
        return Simd.sum(acc0.add(acc1));
    }

    /**
     * Q4_K row r (all whole chunks: rows are multiples of 256) without the mins, one half: per block
     * d * sc times the products of its codes; as {@link #dotQ40}, per super-block of two chunks.
     */
    private static float dotQ4K(Tensor w, int n, long r, MemorySegment xs, int half) {
        MemorySegment q = w.data(), scales = w.scales();
        long base = r * (n / 2), supers = n / Q4.SUPER, firstRecord = r * supers * Q4.RECORD;
        int shift = 16 * half;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (long sb = 0; sb < supers; sb++) {
            long record = firstRecord + sb * Q4.RECORD;
            float d = scales.get(Tensor.F32_LE, record + Q4.D);
            for (int k = 0; k < 2; k++) { // the super-block's two chunks, blocks 4k + 2 half and the next
                FloatVector d0 = subScale(scales, record + 4 * k + 2 * half, d), d1 = subScale(scales, record + 4 * k + 2 * half + 1, d);
                for (int v = 0; v < VECTORS; v++) {
                    long o = sb * (Q4.SUPER / 2) + k * 64 + v * 4L * FL;
                    IntVector codes = IntVector.fromMemorySegment(I, q, base + o, LE).lanewise(VectorOperators.LSHR, shift);
                    long x = o * 8 + 256L * half;
                    FloatVector b0 = nibble(codes, MASK0, Q4K_SUB).mul(load(xs, x));
                    b0 = nibble(codes, MASK1, Q4K_SUB).fma(load(xs, x + 64), b0);
                    acc0 = b0.fma(d0, acc0);
                    FloatVector b1 = nibble(codes, MASK2, Q4K_SUB).mul(load(xs, x + 128));
                    b1 = nibble(codes, MASK3, Q4K_SUB).fma(load(xs, x + 192), b1);
                    acc1 = b1.fma(d1, acc1);
                }
            }
        }
        return Simd.sum(acc0.add(acc1));
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
                long block = (row * n + at - off + 16L * p) / Q4.BLOCK;
                float unscale = UNSCALE[p % 4];
                if (q40) {
                    float d = scales.get(Tensor.F32_LE, block * 4) * unscale;
                    nibble(v, MASKS[p % 4], Q40_SUBS[p % 4]).mul(d).intoArray(dst, at + 16 * p);
                } else {
                    long record = block / 8 * Q4.RECORD;
                    int j = (int) (block % 8);
                    float step = scales.get(Tensor.F32_LE, record + Q4.D) * scales.get(ValueLayout.JAVA_BYTE, record + j) * unscale;
                    float min = scales.get(Tensor.F32_LE, record + Q4.DMIN) * scales.get(ValueLayout.JAVA_BYTE, record + 8 + j);
                    nibble(v, MASKS[p % 4], Q4K_SUB).fma(FloatVector.broadcast(F, step), FloatVector.broadcast(F, -min)).intoArray(dst, at + 16 * p);
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
    private static FloatVector nibble(IntVector v, IntVector mask, FloatVector sub) {
        return v.and(mask).or(MAGIC_V).reinterpretAsFloats().sub(sub);
    }

    /*
     * The operands of nibble() as vector constants: the scalar forms broadcast in every call, and
     * their nodes took C2 past its inlining limit (the reduction at the end of the kernel went out
     * of line and allocated).
     */
    private static final IntVector MAGIC_V = IntVector.broadcast(I, MAGIC_BITS);
    private static final IntVector MASK0 = IntVector.broadcast(I, 0x000F), MASK1 = IntVector.broadcast(I, 0x00F0),
            MASK2 = IntVector.broadcast(I, 0x0F00), MASK3 = IntVector.broadcast(I, 0xF000);
    /** What nibble position p subtracts: the magic, and for Q4_0 the code's offset 8 in its own scale 16^(p % 4). */
    private static final FloatVector Q4K_SUB = FloatVector.broadcast(F, MAGIC), Q40_SUB0 = FloatVector.broadcast(F, MAGIC + 8),
            Q40_SUB1 = FloatVector.broadcast(F, MAGIC + 8 * 16), Q40_SUB2 = FloatVector.broadcast(F, MAGIC + 8 * 256),
            Q40_SUB3 = FloatVector.broadcast(F, MAGIC + 8 * 4096);
    private static final IntVector[] MASKS = {MASK0, MASK1, MASK2, MASK3};
    private static final FloatVector[] Q40_SUBS = {Q40_SUB0, Q40_SUB1, Q40_SUB2, Q40_SUB3};

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

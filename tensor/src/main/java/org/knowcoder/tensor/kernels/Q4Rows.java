package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.knowcoder.tensor.kernels.Simd.B;
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
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** Whether the vector kernels apply: a vector of ints covers a chunk or an equal part of one. */
    static final boolean VECTOR = FL <= Q4.CHUNK / 8 && FL >= 4;
    /** Vectors of ints per chunk of nibbles (64 bytes), and the bytes of one. */
    private static final int VECTORS = Q4.CHUNK / 8 / FL;
    private static final long VB = 4L * FL;
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

    /**
     * out[oo + r] = row r of w dotted with the activation {@link #prepare}d in xs, rows [from, to):
     * {@link #ROWS} rows per kernel call, then their sums four at a time ({@link Simd#sum4}).
     */
    static void dot(Tensor w, int from, int to, MemorySegment xs, float[] out, int oo) {
        int n = w.cols();
        boolean vector = VECTOR && n >= Q4.CHUNK;
        if (vector) {
            float[] acc = ACCUMULATORS.get();
            boolean q40 = w.dtype() == DType.Q4_0;
            for (int r = from; r < to; r += ROWS) {
                int count = Math.min(ROWS, to - r);
                if (q40) {
                    dotQ40(w, n, r, count, xs, acc);
                } else {
                    dotQ4K(w, n, r, count, xs, acc);
                    minTerms(w, n, r, count, xs, acc);
                }
                for (int k = 0; k < count; k += 4) {
                    Simd.sum4(acc, k, acc, SUMS); // past count, sums of stale vectors, not copied
                    for (int j = k; j < Math.min(k + 4, count); j++) out[oo + r + j] = acc[SUMS + j - k] - (q40 ? 0 : acc[MINS + j]);
                }
            }
        }
        if (!vector || n % Q4.CHUNK != 0) {
            for (int r = from; r < to; r++) out[oo + r] = (vector ? out[oo + r] : 0) + tail(w, n, r, xs);
        }
    }

    /*
     * The kernels run one flat loop over the whole chunks of ROWS rows, the activation's offset
     * going back to 0 at each row's end, where the row's accumulators are stored and cleared. A
     * loop per row (768 values: six chunks) spent more on C2's loop entry, pre- and post-loops and
     * the sum than on the products (bench/README.md). The Vector API calls are written out, not
     * wrapped in helpers of ours: C2 stops inlining plain methods once a compilation passes
     * NodeCountInliningCutoff, and a vector passed to a method it did not inline is allocated
     * (hundreds of times slower); the API's own methods are force-inlined, and past that point C2
     * defers them to its incremental inlining instead.
     */

    /** Rows per kernel call; acc holds their vector accumulators, then four sums, then (Q4_K) the rows' min terms and a vector of scratch. */
    private static final int ROWS = 64, SUMS = ROWS * FL, MINS = SUMS + 4;
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[MINS + ROWS + FL]);
    /**
     * The first eight lanes, for {@link #minTerms} (used only where FL >= 8). Masked loads of the
     * one species rather than vectors of eight: with a second vector shape in the process, C2
     * compiled MatMul's few-token path without its intrinsics (bench/README.md).
     */
    private static final VectorMask<Float> EIGHT = F.indexInRange(0, Math.min(8, FL));
    private static final VectorMask<Byte> EIGHT_BYTES = B.indexInRange(0, Math.min(8, FL));

    /**
     * Q4_0 rows [r, r + count) over their whole chunks, their accumulators into acc: per block the
     * products of its two nibble positions (see the class comment), summed and scaled by the
     * block's d. The four blocks of a chunk accumulate apart, so that no chain of dependent FMAs
     * runs through an iteration.
     */
    private static void dotQ40(Tensor w, int n, long r, int count, MemorySegment xs, float[] acc) {
        MemorySegment q = w.data(), scales = w.scales();
        int chunks = n / Q4.CHUNK, partial = n % Q4.CHUNK, at = 0;
        long p = r * (n / 2), s = r * (n / Q4.BLOCK) * 2, x = 0, rowEnd = 512L * chunks, total = (long) count * chunks;
        FloatVector zero = FloatVector.zero(F), acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
        for (long g = 0; g < total; g++) {
            for (int v = 0; v < VECTORS; v++) {
                IntVector lo = IntVector.fromMemorySegment(I, q, p + VB * v, LE), hi = lo.lanewise(VectorOperators.LSHR, 16);
                long xv = x + VB * v;
                FloatVector b0 = lo.and(MASK0).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB0).mul(FloatVector.fromMemorySegment(F, xs, xv, LE));
                FloatVector b1 = lo.and(MASK2).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB2).mul(FloatVector.fromMemorySegment(F, xs, xv + 128, LE));
                FloatVector b2 = hi.and(MASK0).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB0).mul(FloatVector.fromMemorySegment(F, xs, xv + 256, LE));
                FloatVector b3 = hi.and(MASK2).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB2).mul(FloatVector.fromMemorySegment(F, xs, xv + 384, LE));
                b0 = lo.and(MASK1).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB1).fma(FloatVector.fromMemorySegment(F, xs, xv + 64, LE), b0);
                b1 = lo.and(MASK3).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB3).fma(FloatVector.fromMemorySegment(F, xs, xv + 192, LE), b1);
                b2 = hi.and(MASK1).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB1).fma(FloatVector.fromMemorySegment(F, xs, xv + 320, LE), b2);
                b3 = hi.and(MASK3).or(MAGIC_V).reinterpretAsFloats().sub(Q40_SUB3).fma(FloatVector.fromMemorySegment(F, xs, xv + 448, LE), b3);
                acc0 = b0.fma(FloatVector.broadcast(F, Float.float16ToFloat(scales.get(Tensor.I16_LE, s))), acc0);
                acc1 = b1.fma(FloatVector.broadcast(F, Float.float16ToFloat(scales.get(Tensor.I16_LE, s + 2))), acc1);
                acc2 = b2.fma(FloatVector.broadcast(F, Float.float16ToFloat(scales.get(Tensor.I16_LE, s + 4))), acc2);
                acc3 = b3.fma(FloatVector.broadcast(F, Float.float16ToFloat(scales.get(Tensor.I16_LE, s + 6))), acc3);
            }
            p += 64;
            s += 8;
            x += 512;
            if (x == rowEnd) { // the row's partial chunk, if any, is tail()'s
                acc0.add(acc1).add(acc2.add(acc3)).intoArray(acc, at);
                at += FL;
                acc0 = zero; acc1 = zero; acc2 = zero; acc3 = zero;
                p += partial / 2;
                s += partial / Q4.BLOCK * 2;
                x = 0;
            }
        }
    }

    /**
     * Q4_K rows [r, r + count) (rows are multiples of 256, so of two chunks) without the mins, as
     * {@link #dotQ40}: per block d * sc times the products of its codes. A chunk's four 6-bit
     * scales are read as one int and taken apart with shifts: a byte read apiece kept a bounds
     * check each in the loop.
     */
    private static void dotQ4K(Tensor w, int n, long r, int count, MemorySegment xs, float[] acc) {
        MemorySegment q = w.data(), scales = w.scales();
        long p = r * (n / 2), firstRecord = r * (n / Q4.SUPER) * Q4.RECORD, x = 0, rowEnd = 512L * (n / Q4.CHUNK);
        long total = (long) count * (n / Q4.CHUNK);
        int at = 0;
        FloatVector zero = FloatVector.zero(F), acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
        for (long g = 0; g < total; g++) {
            long record = firstRecord + (g >> 1) * Q4.RECORD;
            int sc = scales.get(INT_LE, record + 4 * (g & 1));
            float d = Float.float16ToFloat(scales.get(Tensor.I16_LE, record + Q4.D));
            FloatVector d0 = FloatVector.broadcast(F, d * (sc & 0xFF)), d1 = FloatVector.broadcast(F, d * (sc >>> 8 & 0xFF));
            FloatVector d2 = FloatVector.broadcast(F, d * (sc >>> 16 & 0xFF)), d3 = FloatVector.broadcast(F, d * (sc >>> 24));
            for (int v = 0; v < VECTORS; v++) {
                IntVector lo = IntVector.fromMemorySegment(I, q, p + VB * v, LE), hi = lo.lanewise(VectorOperators.LSHR, 16);
                long xv = x + VB * v;
                FloatVector b0 = lo.and(MASK0).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).mul(FloatVector.fromMemorySegment(F, xs, xv, LE));
                FloatVector b1 = lo.and(MASK2).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).mul(FloatVector.fromMemorySegment(F, xs, xv + 128, LE));
                FloatVector b2 = hi.and(MASK0).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).mul(FloatVector.fromMemorySegment(F, xs, xv + 256, LE));
                FloatVector b3 = hi.and(MASK2).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).mul(FloatVector.fromMemorySegment(F, xs, xv + 384, LE));
                b0 = lo.and(MASK1).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).fma(FloatVector.fromMemorySegment(F, xs, xv + 64, LE), b0);
                b1 = lo.and(MASK3).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).fma(FloatVector.fromMemorySegment(F, xs, xv + 192, LE), b1);
                b2 = hi.and(MASK1).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).fma(FloatVector.fromMemorySegment(F, xs, xv + 320, LE), b2);
                b3 = hi.and(MASK3).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB).fma(FloatVector.fromMemorySegment(F, xs, xv + 448, LE), b3);
                acc0 = b0.fma(d0, acc0);
                acc1 = b1.fma(d1, acc1);
                acc2 = b2.fma(d2, acc2);
                acc3 = b3.fma(d3, acc3);
            }
            p += 64;
            x += 512;
            if (x == rowEnd) {
                acc0.add(acc1).add(acc2.add(acc3)).intoArray(acc, at);
                at += FL;
                acc0 = zero; acc1 = zero; acc2 = zero; acc3 = zero;
                x = 0;
            }
        }
    }

    /**
     * The min terms of Q4_K rows [r, r + count) into acc[MINS ..]: per super-block dmin times the
     * sum of its eight m times their blocks' activation sums ({@link #prepare}), eight lanes at a
     * time where vectors hold eight floats or more; each row's lanes then summed in order. Apart
     * from the kernel, whose loop they slowed by a third when done there a super-block at a time.
     */
    private static void minTerms(Tensor w, int n, long r, int count, MemorySegment xs, float[] acc) {
        MemorySegment scales = w.scales();
        int supers = n / Q4.SUPER;
        long record = r * supers * Q4.RECORD;
        for (int row = 0; row < count; row++) {
            float total = 0;
            if (FL >= 8) {
                FloatVector lanes = FloatVector.zero(F);
                for (int s = 0; s < supers; s++, record += Q4.RECORD) {
                    FloatVector m = (FloatVector) ByteVector.fromMemorySegment(B, scales, record + 8, LE, EIGHT_BYTES).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector sums = FloatVector.fromMemorySegment(F, xs, 4L * (n + 8 * s), LE, EIGHT); // the block sums follow the n values
                    lanes = m.mul(sums).fma(FloatVector.broadcast(F, Float.float16ToFloat(scales.get(Tensor.I16_LE, record + Q4.DMIN))), lanes);
                }
                lanes.intoArray(acc, MINS + ROWS);
                for (int j = 0; j < 8; j++) total += acc[MINS + ROWS + j];
            } else {
                for (int s = 0; s < supers; s++, record += Q4.RECORD) {
                    float sum = 0;
                    for (int j = 0; j < 8; j++) sum += scales.get(ValueLayout.JAVA_BYTE, record + 8 + j) * xs.getAtIndex(Tensor.F32_LE, n + 8L * s + j);
                    total += Float.float16ToFloat(scales.get(Tensor.I16_LE, record + Q4.DMIN)) * sum;
                }
            }
            acc[MINS + row] = total;
        }
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
                    float d = w.scale(block) * unscale;
                    nibble(v, MASKS[p % 4], Q40_SUBS[p % 4]).mul(d).intoArray(dst, at + 16 * p);
                } else {
                    long record = block / 8 * Q4.RECORD;
                    int j = (int) (block % 8);
                    float step = Float.float16ToFloat(scales.get(Tensor.I16_LE, record + Q4.D)) * scales.get(ValueLayout.JAVA_BYTE, record + j) * unscale;
                    float min = Float.float16ToFloat(scales.get(Tensor.I16_LE, record + Q4.DMIN)) * scales.get(ValueLayout.JAVA_BYTE, record + 8 + j);
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
     * The operands of the nibble steps as vector constants: the scalar forms broadcast in every
     * call, and their nodes took C2 past its inlining limit (the reduction at the end of the kernel
     * went out of line and allocated).
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
}

package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
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
 * for prefill, over the layouts of {@link Q4}.
 *
 * <p>Q4_0 decoding works in integers, as ggml's Q4_0 x Q8_0 dot does: {@link #prepare} rounds
 * each block of 32 activations to int8 under one scale dx = max |x| / 127, and a row's block sum
 * is d * dx * sum (q - 8) xq, the integer sum exact. The kernel takes a column of a group of 64
 * rows in one vector of 32 shorts (rows k and k + 32 in lane k, as one byte: lo + 16 hi) and
 * multiplies it by the column's xq, broadcast: sum (lo + 16 hi) xq and sum hi xq over a block give
 * both rows' sums, in 16-bit lanes that wrap. Wrapping is harmless: each sum's true value,
 * |sum (q - 8) xq| <= 8 * 127 * 32 = 32512, fits in a short, and everything before it is exact
 * modulo 2^16. Per 64 weights that is a shift, two multiplies and two adds (plus a load and a
 * mask per pair of columns), against four float operations per 16 weights in the form below,
 * which was compute-bound (bench/README.md). The scales (F16) are widened with integer operations
 * in the vector (the Vector API of JDK 25 has no F16 conversion): the F16 bits moved to an F32's
 * place are the value times 2^-112, exactly, and a multiply by 2^112 puts it right; an infinite
 * or NaN scale would be read as a finite one (no file holds one: ggml's quantizer cannot write it).
 *
 * <p>Q4_K: a vector of FL ints of a whole chunk holds, at nibble position p, FL consecutive values
 * of one block of 32 (p / 2 of the chunk's four). A position is taken out with a mask alone, not
 * shifted down: the masked int is q * 16^(p % 4) (positions 4..7 after one shift of the whole
 * vector by 16), which ORed into the bits of 1.5 * 2^23 and reinterpreted is exactly 1.5 * 2^23 +
 * q * 16^(p % 4), so one subtraction gives the value times 16^(p % 4), and {@link #prepare} scales
 * the activations of position p by 16^-(p % 4), exactly (a power of two). Three operations a
 * position instead of four with a shift; an int-to-float conversion would grow C2's graph past its
 * inlining limit, as in the Q8_0 kernel.
 *
 * <p>The rows the vector kernels do not take (Q4_0: past the last whole group, or a range's partial
 * groups; Q4_K: a row's last, partial chunk when it is not a multiple of 128 values) go through
 * scalar code, which sums in the same order; so do vectors other than 16 floats wide.
 */
final class Q4Rows {
    private Q4Rows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** Whether the vector kernels apply: Q4_0's with 32 shorts to a vector, Q4_K's where a vector of ints covers a chunk or an equal part of one. */
    static final boolean VECTOR_Q40 = FL == 16;
    /** Q4_0's vectors of 32 shorts (512 bits, as F's 16 floats). */
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    static final boolean VECTOR = FL <= Q4.CHUNK / 8 && FL >= 4;
    /** Vectors of ints per chunk of nibbles (64 bytes), and the bytes of one. */
    private static final int VECTORS = Q4.CHUNK / 8 / FL;
    private static final long VB = 4L * FL;
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    /** 16^-(p % 4) for nibble position p: what {@link #prepare} multiplies its activations by. */
    private static final float[] UNSCALE = {1f, 1f / 16, 1f / 256, 1f / 4096};

    /** Bytes {@link #prepare} writes for a row of n values, in either type (Q4_K's layout is the larger). */
    static long activationBytes(int n) {
        return 4L * (n + n / Q4.BLOCK);
    }

    /**
     * x[xo .. xo+n) into xs as the kernels read it. Q4_0: the xq as shorts, which the kernel
     * broadcasts (a table of them broadcast already, 32 times larger, cost more than it saved: the
     * other thread has to fetch every line the preparing one wrote); then each block's dx (float);
     * then each block's 8 * sum xq (short). Q4_K: the whole chunks' values scaled per nibble position (see
     * the class comment), the rest as is; then the sum of each block's 32 activations, for its mins.
     */
    static void prepare(Tensor w, float[] x, int xo, MemorySegment xs) {
        int n = w.cols();
        if (w.dtype() == DType.Q4_0) {
            for (int b = 0; b < n / Q4.BLOCK; b++) {
                int at = xo + b * Q4.BLOCK, sum = 0;
                float dx;
                if (VECTOR_Q40) { // rint by adding and taking away 1.5 * 2^23, exact for values below 2^22
                    FloatVector v0 = FloatVector.fromArray(F, x, at), v1 = FloatVector.fromArray(F, x, at + 16);
                    dx = v0.abs().max(v1.abs()).reduceLanes(VectorOperators.MAX) / 127;
                    float inverse = dx == 0 ? 0 : 1 / dx;
                    IntVector q0 = (IntVector) v0.mul(inverse).add(MAGIC).sub(MAGIC).convert(VectorOperators.F2I, 0);
                    IntVector q1 = (IntVector) v1.mul(inverse).add(MAGIC).sub(MAGIC).convert(VectorOperators.F2I, 0);
                    sum = q0.add(q1).reduceLanes(VectorOperators.ADD);
                    ((ShortVector) q0.convertShape(VectorOperators.I2S, S, 0)).intoMemorySegment(xs, 2L * b * Q4.BLOCK, LE, HALF);
                    ((ShortVector) q1.convertShape(VectorOperators.I2S, S, 0)).intoMemorySegment(xs, 2L * b * Q4.BLOCK + 32, LE, HALF);
                } else {
                    float max = 0;
                    for (int i = at; i < at + Q4.BLOCK; i++) max = Math.max(max, Math.abs(x[i]));
                    dx = max / 127;
                    float inverse = dx == 0 ? 0 : 1 / dx;
                    for (int i = 0; i < Q4.BLOCK; i++) {
                        short v = (short) Math.rint(x[at + i] * inverse);
                        sum += v;
                        xs.set(Tensor.I16_LE, 2L * (b * Q4.BLOCK + i), v);
                    }
                }
                xs.set(Tensor.F32_LE, 2L * n + 4L * b, dx);
                xs.set(Tensor.I16_LE, xSums(n) + 2L * b, (short) (8 * sum));
            }
            return;
        }
        int whole = VECTOR ? n - n % Q4.CHUNK : 0;
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

    /** The first 16 of 32 shorts: a vector of ints narrowed. */
    private static final VectorMask<Short> HALF = VectorMask.fromLong(ShortVector.SPECIES_512, 0xFFFFL);

    /** Where a Q4_0 activation's 8 * sum xq of each block start. */
    private static long xSums(int n) {
        return 2L * n + 4L * (n / Q4.BLOCK);
    }

    /**
     * out[oo + r] = row r of w dotted with the activation {@link #prepare}d in xs, rows [from, to):
     * {@link #ROWS} rows per kernel call, then their sums four at a time ({@link Simd#sum4}).
     */
    static void dot(Tensor w, int from, int to, MemorySegment xs, float[] out, int oo) {
        int n = w.cols();
        if (w.dtype() == DType.Q4_0) {
            dotQ40(w, from, to, xs, out, oo);
            return;
        }
        boolean vector = VECTOR && n >= Q4.CHUNK;
        if (vector) {
            float[] acc = ACCUMULATORS.get();
            for (int r = from; r < to; r += ROWS) {
                int count = Math.min(ROWS, to - r);
                dotQ4K(w, n, r, count, xs, acc);
                minTerms(w, n, r, count, xs, acc);
                for (int k = 0; k < count; k += 4) {
                    Simd.sum4(acc, k, acc, SUMS); // past count, sums of stale vectors, not copied
                    for (int j = k; j < Math.min(k + 4, count); j++) out[oo + r + j] = acc[SUMS + j - k] - acc[MINS + j];
                }
            }
        }
        if (!vector || n % Q4.CHUNK != 0) {
            for (int r = from; r < to; r++) out[oo + r] = (vector ? out[oo + r] : 0) + tail(w, n, r, xs);
        }
    }

    /**
     * Q4_0 rows [from, to): their whole groups two at a time, group j beside group j + half of the
     * range (two streams of memory far apart, which one core reads faster than one, or than two
     * neighbouring groups: bench/README.md; the middle group of an odd number goes alone), the
     * other rows one by one.
     */
    private static void dotQ40(Tensor w, int from, int to, MemorySegment xs, float[] out, int oo) {
        int first = to, last = to;
        if (VECTOR_Q40) {
            first = Math.min(to, (from + Q4.GROUP - 1) / Q4.GROUP * Q4.GROUP);
            last = Math.max(first, (int) Math.min(to, Q4.grouped(w.rows())) / Q4.GROUP * Q4.GROUP);
        }
        for (int r = from; r < first; r++) out[oo + r] = rowQ40(w, r, xs);
        int groups = (last - first) / Q4.GROUP, half = (groups + 1) / 2;
        for (int j = 0; j < half; j++) groupsQ40(w, first + j * Q4.GROUP, first + (j + half < groups ? j + half : j) * Q4.GROUP, xs, out, oo);
        for (int r = last; r < to; r++) out[oo + r] = rowQ40(w, r, xs);
    }

    /** Row r of a Q4_0 tensor dotted with the prepared activation, scalar, in the kernel's order of operations. */
    static float rowQ40(Tensor w, long r, MemorySegment xs) {
        int n = w.cols();
        long rows = w.rows();
        MemorySegment q = w.data();
        float sum = 0;
        for (int b = 0; b < n / Q4.BLOCK; b++) {
            int dot = 0;
            for (int i = b * Q4.BLOCK; i < (b + 1) * Q4.BLOCK; i++) {
                long at = Q4.nibble(DType.Q4_0, rows, n, r, i);
                int code = q.get(ValueLayout.JAVA_BYTE, at >> 1) >> 4 * (at & 1) & 0xF;
                dot += (code - 8) * xs.get(Tensor.I16_LE, 2L * i);
            }
            float d = w.scale(Q4.scaleIndex(rows, n, r, b));
            sum = Math.fma((float) dot, d * xs.get(Tensor.F32_LE, 2L * n + 4L * b), sum);
        }
        return sum;
    }

    private static final ShortVector LOW_BYTES = ShortVector.broadcast(S, (short) 0xFF);
    /** The bits of a sign-extended F16 that an F32 keeps: its sign, and its exponent and mantissa once shifted up 13. */
    private static final IntVector F16_BITS = IntVector.broadcast(I, 0x8FFFFFFF);
    private static final FloatVector TWO_112 = FloatVector.broadcast(F, 0x1p112f);

    /**
     * Q4_0 groups a and b (first rows; b = a for a group alone, read once) into out: per block, the two
     * sums of each column pair (see the class comment), then each lane's rows' block sums widened
     * and added, times d * dx, to the rows' float sums. Written out, without helpers of ours (see
     * below): C2 allocates a vector passed to a method it did not inline.
     */
    private static void groupsQ40(Tensor w, int a, int b, MemorySegment xs, float[] out, int oo) {
        int n = w.cols(), blocks = n / Q4.BLOCK;
        MemorySegment q = w.data(), scales = w.scales();
        long pa = (long) a * (n / 2), pb = (long) b * (n / 2), sa = (long) a * blocks * 2, sb = (long) b * blocks * 2;
        long dxAt = 2L * n, sumsAt = xSums(n);
        boolean two = a != b;
        FloatVector zero = FloatVector.zero(F), a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
        for (int block = 0; block < blocks; block++) {
            ShortVector aAll = ShortVector.zero(S), aHigh = aAll, bAll = aAll, bHigh = aAll;
            for (long x = 2L * Q4.BLOCK * block, end = x + 2L * Q4.BLOCK; x < end; x += 4, pa += 64, pb += 64) {
                int pair = xs.get(INT_LE, x);
                ShortVector x0 = ShortVector.broadcast(S, (short) pair), x1 = ShortVector.broadcast(S, (short) (pair >> 16));
                ShortVector va = ShortVector.fromMemorySegment(S, q, pa, LE);
                ShortVector ca = va.and(LOW_BYTES), da = va.lanewise(VectorOperators.LSHR, 8);
                aAll = aAll.add(ca.mul(x0)).add(da.mul(x1));
                aHigh = aHigh.add(ca.lanewise(VectorOperators.LSHR, 4).mul(x0)).add(da.lanewise(VectorOperators.LSHR, 4).mul(x1));
                if (two) { // the same every iteration: C2 compiles the loop once for each value
                    ShortVector vb = ShortVector.fromMemorySegment(S, q, pb, LE);
                    ShortVector cb = vb.and(LOW_BYTES), db = vb.lanewise(VectorOperators.LSHR, 8);
                    bAll = bAll.add(cb.mul(x0)).add(db.mul(x1));
                    bHigh = bHigh.add(cb.lanewise(VectorOperators.LSHR, 4).mul(x0)).add(db.lanewise(VectorOperators.LSHR, 4).mul(x1));
                }
            }
            // rows k + 32: sum (hi - 8) xq; rows k: sum (lo - 8) xq = all - 16 high - 8 sum xq, modulo 2^16
            ShortVector eight = ShortVector.broadcast(S, xs.get(Tensor.I16_LE, sumsAt + 2L * block));
            FloatVector dx = FloatVector.broadcast(F, xs.get(Tensor.F32_LE, dxAt + 4L * block));
            ShortVector aLow = aAll.sub(aHigh.lanewise(VectorOperators.LSHL, 4)).sub(eight);
            aHigh = aHigh.sub(eight);
            ShortVector ds = ShortVector.fromMemorySegment(S, scales, sa, LE), es = ShortVector.fromMemorySegment(S, scales, sa + 64, LE);
            a0 = ((FloatVector) aLow.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) ds.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), a0);
            a1 = ((FloatVector) aLow.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) ds.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), a1);
            a2 = ((FloatVector) aHigh.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) es.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), a2);
            a3 = ((FloatVector) aHigh.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) es.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), a3);
            sa += 128;
            if (!two) continue;
            ShortVector bLow = bAll.sub(bHigh.lanewise(VectorOperators.LSHL, 4)).sub(eight);
            bHigh = bHigh.sub(eight);
            ds = ShortVector.fromMemorySegment(S, scales, sb, LE);
            es = ShortVector.fromMemorySegment(S, scales, sb + 64, LE);
            b0 = ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) ds.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), b0);
            b1 = ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) ds.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), b1);
            b2 = ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) es.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), b2);
            b3 = ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) es.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(dx), b3);
            sb += 128;
        }
        a0.intoArray(out, oo + a);
        a1.intoArray(out, oo + a + 16);
        a2.intoArray(out, oo + a + 32);
        a3.intoArray(out, oo + a + 48);
        if (!two) return;
        b0.intoArray(out, oo + b);
        b1.intoArray(out, oo + b + 16);
        b2.intoArray(out, oo + b + 32);
        b3.intoArray(out, oo + b + 48);
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
     * Q4_K rows [r, r + count) (rows are multiples of 256, so of two chunks) without the mins:
     * per block d * sc times the products of its codes, the chunk's four blocks accumulating apart,
     * so that no chain of dependent FMAs runs through an iteration. A chunk's four 6-bit
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
     * Row {@code row} of w widened into dst[off .. off+cols). Q4_0: value by value (a row's values
     * lie 64 bytes apart in its group). Q4_K: per vector and nibble position, FL consecutive values
     * times their block's scale (times 16^-(p % 4), see the class comment) less dmin * m, in one
     * fused step, so each value is rounded once as {@link Q4#value} rounds it.
     */
    static void decode(Tensor w, long row, float[] dst, int off) {
        int n = w.cols();
        MemorySegment q = w.data(), scales = w.scales();
        if (w.dtype() == DType.Q4_0) {
            // a grouped row's values two by two: each pair's bytes 64 on from the last, its nibble at the same shift
            long rows = w.rows(), first = Q4.nibble(DType.Q4_0, rows, n, row, 0), pairs = row < Q4.grouped(rows) ? 64 : 1;
            int shift = 4 * (int) (first & 1);
            for (int b = 0; b < n / Q4.BLOCK; b++) {
                float d = w.scale(Q4.scaleIndex(rows, n, row, b));
                for (int i = b * Q4.BLOCK; i < (b + 1) * Q4.BLOCK; i += 2) {
                    long at = (first >> 1) + i / 2 * pairs;
                    int even = q.get(ValueLayout.JAVA_BYTE, at), odd = pairs == 1 ? even >> 4 : q.get(ValueLayout.JAVA_BYTE, at + 1);
                    dst[off + i] = ((even >> shift & 0xF) - 8) * d;
                    dst[off + i + 1] = ((odd >> (pairs == 1 ? 0 : shift) & 0xF) - 8) * d;
                }
            }
            return;
        }
        int whole = VECTOR ? n - n % Q4.CHUNK : 0;
        long base = row * (n / 2);
        for (long o = 0; o < whole / 2; o += 4L * FL) {
            IntVector lo = IntVector.fromMemorySegment(I, q, base + o, LE), hi = lo.lanewise(VectorOperators.LSHR, 16);
            int at = off + (int) (activation(o) / 4);
            for (int p = 0; p < 8; p++) {
                IntVector v = p < 4 ? lo : hi;
                long block = (row * n + at - off + 16L * p) / Q4.BLOCK, record = block / 8 * Q4.RECORD;
                int j = (int) (block % 8);
                float step = Float.float16ToFloat(scales.get(Tensor.I16_LE, record + Q4.D)) * scales.get(ValueLayout.JAVA_BYTE, record + j) * UNSCALE[p % 4];
                float min = Float.float16ToFloat(scales.get(Tensor.I16_LE, record + Q4.DMIN)) * scales.get(ValueLayout.JAVA_BYTE, record + 8 + j);
                nibble(v, MASKS[p % 4]).fma(FloatVector.broadcast(F, step), FloatVector.broadcast(F, -min)).intoArray(dst, at + 16 * p);
            }
        }
        for (int i = whole; i < n; i++) dst[off + i] = Q4.value(w, row * n + i);
    }

    /**
     * {@link WeightRows#decodeColumns}: 16 rows of a group (r0 a multiple of 16) are half the
     * lanes of its column pairs' vectors, at one nibble position, so each pair gives both columns'
     * 16 values in a few operations, each value (q - 8) * d rounded once as {@link Q4#value} rounds
     * it; other rows (past the groups, or a short block) value by value.
     */
    static void decodeColumns(Tensor w, long r0, int count, float[] dst) {
        int n = w.cols(), blocks = n / Q4.BLOCK;
        if (count < 16 || r0 % 16 != 0 || r0 + 16 > Q4.grouped(w.rows())) {
            for (int r = 0; r < 16; r++) {
                for (int i = 0; i < n; i++) dst[16 * i + r] = r < count ? Q4.value(w, (r0 + r) * n + i) : 0f;
            }
            return;
        }
        MemorySegment q = w.data(), scales = w.scales();
        int k = (int) (r0 % Q4.GROUP), part = k % 32 / 16, shift = 4 * (k / 32);
        long p = r0 / Q4.GROUP * 32L * n, s = r0 / Q4.GROUP * blocks * 128L + 64 * (k / 32); // the 32 scales of the rows' half of the group
        for (int b = 0, at = 0; b < blocks; b++, s += 128) {
            ShortVector half = ShortVector.fromMemorySegment(S, scales, s, LE);
            FloatVector d = ((IntVector) half.convertShape(VectorOperators.S2I, I, part)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112);
            for (int c = 0; c < Q4.BLOCK; c += 2, p += 64, at += 32) {
                IntVector pair = (IntVector) ShortVector.fromMemorySegment(S, q, p, LE).convertShape(VectorOperators.S2I, I, part);
                ((FloatVector) pair.lanewise(VectorOperators.LSHR, shift).and(0xF).convert(VectorOperators.I2F, 0)).sub(8f).mul(d).intoArray(dst, at);
                ((FloatVector) pair.lanewise(VectorOperators.LSHR, 8 + shift).and(0xF).convert(VectorOperators.I2F, 0)).sub(8f).mul(d).intoArray(dst, at + 16);
            }
        }
    }

    /**
     * Byte offset in the prepared activation of the values that nibble position 0 of the vector of
     * ints at byte o of a row's nibbles holds (position p's are 64 p bytes on: 16 floats).
     */
    private static long activation(long o) {
        return (o / 64 * Q4.CHUNK + o % 64 / 4) * 4;
    }

    /** 16^k q (positions k and k + 4, see the class comment), exactly. */
    private static FloatVector nibble(IntVector v, IntVector mask) {
        return v.and(mask).or(MAGIC_V).reinterpretAsFloats().sub(Q4K_SUB);
    }

    /*
     * The operands of the nibble steps as vector constants: the scalar forms broadcast in every
     * call, and their nodes took C2 past its inlining limit (the reduction at the end of the kernel
     * went out of line and allocated).
     */
    private static final IntVector MAGIC_V = IntVector.broadcast(I, MAGIC_BITS);
    private static final IntVector MASK0 = IntVector.broadcast(I, 0x000F), MASK1 = IntVector.broadcast(I, 0x00F0),
            MASK2 = IntVector.broadcast(I, 0x0F00), MASK3 = IntVector.broadcast(I, 0xF000);
    /** What a nibble position subtracts: the magic. */
    private static final FloatVector Q4K_SUB = FloatVector.broadcast(F, MAGIC);
    private static final IntVector[] MASKS = {MASK0, MASK1, MASK2, MASK3};
}

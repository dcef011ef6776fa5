package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * <p>Decoding works in integers, as ggml's 4-bit x Q8 dots do: {@link #prepare} rounds each block
 * of 32 activations to int8 under one scale dx = max |x| / 127, and a row's block sum is, for
 * Q4_0, d dx sum (q - 8) xq; for Q4_K, d sc dx (sum (q - 8) xq + 8 sum xq) - dmin m dx sum xq;
 * the integer sums exact. The kernel takes a column of a group of 64 rows in one vector of 32
 * shorts (rows k and k + 32 in lane k, as one byte: lo + 16 hi) and multiplies it by the column's
 * xq, broadcast: sum (lo + 16 hi) xq and sum hi xq over a block give both rows' sums, in 16-bit
 * lanes that wrap. Wrapping is harmless: each sum's true value, |sum (q - 8) xq| <= 8 * 127 * 32
 * = 32512, fits in a short, and everything before it is exact modulo 2^16. Per 64 weights that is
 * a shift, two multiplies and two adds (plus a load and a mask per pair of columns), against four
 * float operations per 16 weights in the float form this replaced, which was compute-bound
 * (bench/README.md). At each block's end the sums are widened and scaled. The F16 scales are widened
 * with integer operations in the vector (the Vector API of JDK 25 has no F16 conversion): the F16
 * bits moved to an F32's place are the value times 2^-112, exactly, and a multiply by 2^112 puts
 * it right; an infinite or NaN scale would be read as a finite one (ggml's quantizers write none).
 *
 * <p>The rows the vector kernel does not take (past the last whole group, or a range's partial
 * groups) go through scalar code that sums in the same order; so does everything where vectors
 * are not 16 floats wide.
 */
final class Q4Rows {
    private Q4Rows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** Whether the vector kernels apply: 32 shorts to a vector, as F's 16 floats. */
    static final boolean VECTOR = FL == 16;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    /** 1.5 * 2^23: added to and taken from a float below 2^22, rounds it to an integer (half to even), as Math.rint. */
    private static final float MAGIC = 12582912f;

    /** Bytes {@link #prepare} writes for a row of n values: the xq as shorts, each block's dx, each block's 8 sum xq. */
    static long activationBytes(int n) {
        return 2L * n + 6L * (n / Q4.BLOCK);
    }

    /** Where the activation's dx (floats) and 8 sum xq (shorts) of each block start. */
    private static long dxAt(int n) {
        return 2L * n;
    }

    private static long sumsAt(int n) {
        return 2L * n + 4L * (n / Q4.BLOCK);
    }

    /**
     * x[xo .. xo+n) into xs as the kernels read it: the xq as shorts, which the kernel broadcasts (a
     * table of them broadcast already, 32 times larger, cost more than it saved: the other thread
     * has to fetch every line the preparing one wrote); then each block's dx; then each block's 8
     * sum xq, a short (|8 sum xq| <= 8 * 127 * 32).
     */
    static void prepare(Tensor w, float[] x, int xo, MemorySegment xs) {
        int n = w.cols();
        for (int b = 0; b < n / Q4.BLOCK; b++) {
            int at = xo + b * Q4.BLOCK, sum = 0;
            float dx;
            if (VECTOR) {
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
            xs.set(Tensor.F32_LE, dxAt(n) + 4L * b, dx);
            xs.set(Tensor.I16_LE, sumsAt(n) + 2L * b, (short) (8 * sum));
        }
    }

    /** The first 16 of 32 shorts: a vector of ints narrowed. */
    private static final VectorMask<Short> HALF = VectorMask.fromLong(S, 0xFFFFL);

    /**
     * out[oo + r] = row r of w dotted with the activation {@link #prepare}d in xs, rows [from, to):
     * the whole groups two at a time, group j beside group j + half of the range (two streams of
     * memory far apart, which one core reads faster than one, or than two neighbouring groups:
     * bench/README.md; the middle group of an odd number goes alone), the other rows one by one.
     */
    static void dot(Tensor w, int from, int to, MemorySegment xs, float[] out, int oo) {
        int first = to, last = to;
        if (VECTOR) {
            first = Math.min(to, (from + Q4.GROUP - 1) / Q4.GROUP * Q4.GROUP);
            last = Math.max(first, (int) Math.min(to, Q4.grouped(w.rows())) / Q4.GROUP * Q4.GROUP);
        }
        for (int r = from; r < first; r++) out[oo + r] = row(w, r, xs);
        int groups = (last - first) / Q4.GROUP, half = (groups + 1) / 2;
        for (int j = 0; j < half; j++) groups(w, first + j * Q4.GROUP, first + (j + half < groups ? j + half : j) * Q4.GROUP, xs, out, oo);
        for (int r = last; r < to; r++) out[oo + r] = row(w, r, xs);
    }

    /** Row r dotted with the prepared activation, scalar, in the kernel's order of operations. */
    static float row(Tensor w, long r, MemorySegment xs) {
        int n = w.cols();
        long rows = w.rows();
        MemorySegment q = w.data(), scales = w.scales();
        float sum = 0;
        for (int b = 0; b < n / Q4.BLOCK; b++) {
            int dot = 0;
            for (int i = b * Q4.BLOCK; i < (b + 1) * Q4.BLOCK; i++) {
                long at = Q4.nibble(rows, n, r, i);
                dot += ((q.get(ValueLayout.JAVA_BYTE, at >> 1) >> 4 * (at & 1) & 0xF) - 8) * xs.get(Tensor.I16_LE, 2L * i);
            }
            float dx = xs.get(Tensor.F32_LE, dxAt(n) + 4L * b);
            int eight = xs.get(Tensor.I16_LE, sumsAt(n) + 2L * b);
            if (w.dtype() == DType.Q4_0) {
                sum = Math.fma((float) dot, w.scale(Q4.scaleIndex(rows, n, r, b)) * dx, sum);
            } else {
                float d = Float.float16ToFloat(scales.get(Tensor.I16_LE, Q4.dAt(rows, n, r, b)));
                float dmin = Float.float16ToFloat(scales.get(Tensor.I16_LE, Q4.dminAt(rows, n, r, b)));
                int sc = scales.get(ValueLayout.JAVA_BYTE, Q4.scaleAt(rows, n, r, b)), m = scales.get(ValueLayout.JAVA_BYTE, Q4.minAt(rows, n, r, b));
                sum = Math.fma((float) (dot + eight), d * sc * dx, sum);
                sum = Math.fma(dmin * m, -(eight / 8 * dx), sum);
            }
        }
        return sum;
    }

    private static final ShortVector LOW_BYTES = ShortVector.broadcast(S, (short) 0xFF);
    /** Per thread, the per-row factors of {@link #factors} for the two groups of {@link #groups}. */
    private static final ThreadLocal<float[]> FACTORS = ThreadLocal.withInitial(() -> new float[4 * Q4.GROUP]);

    /**
     * Groups a and b (first rows; b = a for a group alone, read once) into out: per block, the two
     * sums of each column pair (see the class comment), then each row's block sum t widened and
     * added: Q4_0 f = fma(t, d dx, f); Q4_K f = fma(t + 8 sum xq, p, f), then f = fma(m, -(dx sum
     * xq), f), with the rows' factors p and m ({@link #factors}) computed before the block's loop.
     * Accumulators a0..a3 hold rows 0-15, 16-31, 32-47, 48-63 of a, b0..b3 those of b. The Vector
     * API calls are written out: C2 allocates a vector passed to a method it did not inline. Q4_0's
     * scales are widened here, Q4_K's in {@link #factors}, through an array: Q4_0's the same way
     * decoded a sixth slower, and both types' written out here made a method C1 could not compile
     * (out of registers), which C2 then never compiled.
     */
    private static void groups(Tensor w, int a, int b, MemorySegment xs, float[] out, int oo) {
        int n = w.cols(), blocks = n / Q4.BLOCK;
        long rows = w.rows();
        MemorySegment q = w.data(), scales = w.scales();
        boolean two = a != b, q4k = w.dtype() == DType.Q4_K;
        float[] f = q4k ? FACTORS.get() : null;
        long pa = (long) a * (n / 2), pb = (long) b * (n / 2);
        FloatVector zero = FloatVector.zero(F), a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
        for (int block = 0; block < blocks; block++) {
            float dx = xs.get(Tensor.F32_LE, dxAt(n) + 4L * block);
            if (q4k) {
                factors(w, a, block, dx, 0, 2, f, 0);
                if (two) factors(w, b, block, dx, 0, 2, f, 2 * Q4.GROUP);
            }
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
            short eightSum = xs.get(Tensor.I16_LE, sumsAt(n) + 2L * block);
            ShortVector eight = ShortVector.broadcast(S, eightSum);
            ShortVector aLow = aAll.sub(aHigh.lanewise(VectorOperators.LSHL, 4)).sub(eight), bLow = bAll.sub(bHigh.lanewise(VectorOperators.LSHL, 4)).sub(eight);
            aHigh = aHigh.sub(eight);
            bHigh = bHigh.sub(eight);
            if (!q4k) {
                FloatVector step = FloatVector.broadcast(F, dx);
                long sa = Q4.scaleIndex(rows, n, a, block) * 2, sb = Q4.scaleIndex(rows, n, b, block) * 2;
                ShortVector da = ShortVector.fromMemorySegment(S, scales, sa, LE), ea = ShortVector.fromMemorySegment(S, scales, sa + 64, LE);
                a0 = ((FloatVector) aLow.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) da.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), a0);
                a1 = ((FloatVector) aLow.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) da.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), a1);
                a2 = ((FloatVector) aHigh.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) ea.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), a2);
                a3 = ((FloatVector) aHigh.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) ea.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), a3);
                if (!two) continue;
                ShortVector db = ShortVector.fromMemorySegment(S, scales, sb, LE), eb = ShortVector.fromMemorySegment(S, scales, sb + 64, LE);
                b0 = ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) db.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b0);
                b1 = ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) db.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b1);
                b2 = ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) eb.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b2);
                b3 = ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                        .fma(((IntVector) eb.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b3);
                continue;
            }
            FloatVector shift = FloatVector.broadcast(F, eightSum), min = FloatVector.broadcast(F, -(eightSum / 8 * dx));
            a0 = FloatVector.fromArray(F, f, 64).fma(min, ((FloatVector) aLow.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 0), a0));
            a1 = FloatVector.fromArray(F, f, 80).fma(min, ((FloatVector) aLow.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 16), a1));
            a2 = FloatVector.fromArray(F, f, 96).fma(min, ((FloatVector) aHigh.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 32), a2));
            a3 = FloatVector.fromArray(F, f, 112).fma(min, ((FloatVector) aHigh.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 48), a3));
            if (!two) continue;
            b0 = FloatVector.fromArray(F, f, 192).fma(min, ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 128), b0));
            b1 = FloatVector.fromArray(F, f, 208).fma(min, ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 144), b1));
            b2 = FloatVector.fromArray(F, f, 224).fma(min, ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 160), b2));
            b3 = FloatVector.fromArray(F, f, 240).fma(min, ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0)).add(shift).fma(FloatVector.fromArray(F, f, 176), b3));
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
     * An F16 scale widened in the vector (see the class comment): sign-extended to an int, shifted
     * up 13, its sign and exponent-and-mantissa bits kept (F16_BITS), times 2^112. Written out at
     * each use: a helper returning the vector was cut off by C2's NodeCountInliningCutoff, and its
     * vectors were allocated.
     */
    private static final IntVector F16_BITS = IntVector.broadcast(I, 0x8FFFFFFF);
    private static final FloatVector TWO_112 = FloatVector.broadcast(F, 0x1p112f);

    /**
     * The factors of block {@code block} for the rows of halves [h0, h1) (rows 32h .. 32h + 31) of
     * the group starting at row r, into f[at .. at + 64) (p) and, for Q4_K, f[at + 64 .. at + 128)
     * (m), rows in order: Q4_0 p = d dx;
     * Q4_K p = d sc dx and m = dmin m (products of F16 and 6-bit values: exact). The group's Q4_0
     * d of a block are 64 F16 side by side; its Q4_K scales and mins of a block are 64 bytes (rows
     * k and k + 32 in short k), its d and dmin of the super-block 64 F16 each.
     */
    private static void factors(Tensor w, long r, int block, float dx, int h0, int h1, float[] f, int at) {
        int n = w.cols();
        long rows = w.rows();
        MemorySegment scales = w.scales();
        FloatVector step = FloatVector.broadcast(F, dx);
        if (w.dtype() == DType.Q4_0) {
            long s = Q4.scaleIndex(rows, n, r, block) * 2;
            for (int h = h0; h < h1; h++) {
                ShortVector d = ShortVector.fromMemorySegment(S, scales, s + 64 * h, LE);
                ((IntVector) d.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step).intoArray(f, at + 32 * h);
                ((IntVector) d.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step).intoArray(f, at + 32 * h + 16);
            }
            return;
        }
        ShortVector scs = ShortVector.fromMemorySegment(S, scales, Q4.scaleAt(rows, n, r, block), LE), ms = ShortVector.fromMemorySegment(S, scales, Q4.minAt(rows, n, r, block), LE);
        long d = Q4.dAt(rows, n, r, block), dmin = Q4.dminAt(rows, n, r, block);
        for (int h = h0; h < h1; h++) { // rows k: the low bytes of the scales' shorts; rows k + 32: the high ones
            ShortVector sc = scs.lanewise(VectorOperators.LSHR, 8 * h).and(LOW_BYTES), m = ms.lanewise(VectorOperators.LSHR, 8 * h).and(LOW_BYTES);
            ShortVector ds = ShortVector.fromMemorySegment(S, scales, d + 64 * h, LE), dmins = ShortVector.fromMemorySegment(S, scales, dmin + 64 * h, LE);
            for (int p = 0; p < 2; p++) {
                ((IntVector) ds.convertShape(VectorOperators.S2I, I, p)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112)
                        .mul((FloatVector) sc.convertShape(VectorOperators.S2I, I, p).convert(VectorOperators.I2F, 0)).mul(step).intoArray(f, at + 32 * h + 16 * p);
                ((IntVector) dmins.convertShape(VectorOperators.S2I, I, p)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112)
                        .mul((FloatVector) m.convertShape(VectorOperators.S2I, I, p).convert(VectorOperators.I2F, 0)).intoArray(f, at + 64 + 32 * h + 16 * p);
            }
        }
    }

    /**
     * {@link WeightRows#decodeColumns}: 16 rows of a group (r0 a multiple of 16) are half the
     * lanes of its column pairs' vectors, at one nibble position, so each pair gives both columns'
     * 16 values in a few operations, each value rounded once as {@link Q4#value} rounds it
     * ((q - 8) d; d sc q - dmin m, the products exact; the factors of {@link #factors} with dx = 1);
     * other rows (past the groups, or a short block) value by value.
     */
    static void decodeColumns(Tensor w, long r0, int count, float[] dst) {
        int n = w.cols(), blocks = n / Q4.BLOCK;
        long rows = w.rows();
        if (!VECTOR || count < 16 || r0 % 16 != 0 || r0 + 16 > Q4.grouped(rows)) {
            for (int r = 0; r < 16; r++) {
                for (int i = 0; i < n; i++) dst[16 * i + r] = r < count ? Q4.value(w, (r0 + r) * n + i) : 0f;
            }
            return;
        }
        MemorySegment q = w.data();
        boolean q40 = w.dtype() == DType.Q4_0;
        int k = (int) (r0 % Q4.GROUP), part = k % 32 / 16, shift = 4 * (k / 32);
        float[] f = FACTORS.get();
        long p = r0 / Q4.GROUP * 32L * n;
        for (int b = 0, at = 0; b < blocks; b++) {
            factors(w, r0 - k, b, 1f, k / 32, k / 32 + 1, f, 0); // d, or d sc and dmin m, of the half holding the rows
            FloatVector step = FloatVector.fromArray(F, f, k), min = FloatVector.fromArray(F, f, Q4.GROUP + k); // min: Q4_K's only
            for (int c = 0; c < Q4.BLOCK; c += 2, p += 64, at += 32) {
                IntVector pair = (IntVector) ShortVector.fromMemorySegment(S, q, p, LE).convertShape(VectorOperators.S2I, I, part);
                FloatVector even = (FloatVector) pair.lanewise(VectorOperators.LSHR, shift).and(0xF).convert(VectorOperators.I2F, 0);
                FloatVector odd = (FloatVector) pair.lanewise(VectorOperators.LSHR, 8 + shift).and(0xF).convert(VectorOperators.I2F, 0);
                if (q40) {
                    even.sub(8f).mul(step).intoArray(dst, at);
                    odd.sub(8f).mul(step).intoArray(dst, at + 16);
                } else {
                    even.mul(step).sub(min).intoArray(dst, at);
                    odd.mul(step).sub(min).intoArray(dst, at + 16);
                }
            }
        }
    }
}

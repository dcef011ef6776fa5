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
import java.util.Arrays;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;
import static org.knowcoder.tensor.kernels.Simd.I;

/**
 * The Q4_0 and Q4_K row kernels of {@link WeightRows}: dot products for decoding and rows widened
 * for prefill, over the layout of {@link Q4}.
 *
 * <p>Decoding works in integers, as ggml's 4-bit x Q8 dots do: {@link #prepare} rounds the
 * activations to int8 under one scale dx = max |x| / 127 per Q4_0 block of 32 or per Q4_K
 * super-block of 256 (as ggml's Q8_K). A row's sum is, for Q4_0, d dx sum (q - 8) xq per block;
 * for Q4_K, per super-block, d dx u - dmin dx v with u = sum sc (sum (q - 8) xq + 8 sum xq)
 * and v = sum m sum xq over its blocks; the integer sums exact. The kernel takes a column of a group of
 * 64 rows in one vector of 32 shorts (rows k and k + 32 in lane k, as one byte: lo + 16 hi) and
 * multiplies it by the column's xq, broadcast: sum (lo + 16 hi) xq and sum hi xq over a block give
 * both rows' sums, in 16-bit lanes that wrap. Wrapping is harmless: each sum's true value,
 * |sum (q - 8) xq| <= 8 * 127 * 32 = 32512, fits in a short, and everything before it is exact
 * modulo 2^16. Per 64 weights that is a shift, two multiplies and two adds (plus a load and a mask per
 * pair of columns), against four float operations per 16 weights in the float form this replaced,
 * which was compute-bound (bench/README.md). At each block's end the sums are widened and scaled
 * (Q4_K: summed in integers till its super-block's end). The F16 scales are widened with integer
 * operations in the vector (the Vector API of JDK 25 has no F16 conversion): the F16 bits moved to
 * an F32's place are the value times 2^-112, exactly, and a multiply by 2^112 puts it right; an
 * infinite or NaN scale would be read as a finite one (ggml's quantizers write none).
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
     * sum xq, a short (|8 sum xq| <= 8 * 127 * 32). One dx serves a Q4_0 block of 32, or all eight
     * blocks of a Q4_K super-block, whose integer sums the kernel then combines before scaling.
     */
    static void prepare(Tensor w, float[] x, int xo, MemorySegment xs) {
        int n = w.cols(), span = scaleSpan(w);
        for (int s = 0; s < n; s += span) {
            float dx = maxAbs(x, xo + s, span) / 127, inverse = dx == 0 ? 0 : 1 / dx;
            for (int b = s / Q4.BLOCK; b < (s + span) / Q4.BLOCK; b++) {
                int at = xo + b * Q4.BLOCK, sum = 0;
                if (VECTOR) {
                    IntVector q0 = (IntVector) FloatVector.fromArray(F, x, at).mul(inverse).add(MAGIC).sub(MAGIC).convert(VectorOperators.F2I, 0);
                    IntVector q1 = (IntVector) FloatVector.fromArray(F, x, at + 16).mul(inverse).add(MAGIC).sub(MAGIC).convert(VectorOperators.F2I, 0);
                    sum = q0.add(q1).reduceLanes(VectorOperators.ADD);
                    ((ShortVector) q0.convertShape(VectorOperators.I2S, S, 0)).intoMemorySegment(xs, 2L * b * Q4.BLOCK, LE, HALF);
                    ((ShortVector) q1.convertShape(VectorOperators.I2S, S, 0)).intoMemorySegment(xs, 2L * b * Q4.BLOCK + 32, LE, HALF);
                } else {
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
    }

    /** Values under one activation scale: a Q4_0 block, a Q4_K super-block (as ggml's Q8_K). */
    private static int scaleSpan(Tensor w) {
        return w.dtype() == DType.Q4_K ? Q4.SUPER : Q4.BLOCK;
    }

    /** max |x[at .. at + count)|, count a multiple of 32. */
    private static float maxAbs(float[] x, int at, int count) {
        if (VECTOR) {
            FloatVector m = FloatVector.zero(F);
            for (int i = at; i < at + count; i += 16) m = m.max(FloatVector.fromArray(F, x, i).abs());
            return m.reduceLanes(VectorOperators.MAX);
        }
        float max = 0;
        for (int i = at; i < at + count; i++) max = Math.max(max, Math.abs(x[i]));
        return max;
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
        boolean q4k = w.dtype() == DType.Q4_K;
        for (int j = 0; j < half; j++) {
            int a = first + j * Q4.GROUP, b = first + (j + half < groups ? j + half : j) * Q4.GROUP;
            if (q4k) groupsK(w, a, b, xs, out, oo);
            else groups(w, a, b, xs, out, oo);
        }
        for (int r = last; r < to; r++) out[oo + r] = row(w, r, xs);
    }

    /** Row r dotted with the prepared activation, scalar, in the kernels' order of operations. */
    static float row(Tensor w, long r, MemorySegment xs) {
        int n = w.cols();
        long rows = w.rows();
        MemorySegment q = w.data(), scales = w.scales();
        boolean q40 = w.dtype() == DType.Q4_0;
        float sum = 0;
        int u = 0, v = 0; // Q4_K: a super-block's sum sc (sum (q - 8) xq + 8 sum xq), and sum m sum xq
        for (int b = 0; b < n / Q4.BLOCK; b++) {
            int dot = 0;
            for (int i = b * Q4.BLOCK; i < (b + 1) * Q4.BLOCK; i++) {
                long at = Q4.nibble(rows, n, r, i);
                dot += ((q.get(ValueLayout.JAVA_BYTE, at >> 1) >> 4 * (at & 1) & 0xF) - 8) * xs.get(Tensor.I16_LE, 2L * i);
            }
            float dx = xs.get(Tensor.F32_LE, dxAt(n) + 4L * b);
            int eight = xs.get(Tensor.I16_LE, sumsAt(n) + 2L * b);
            if (q40) {
                sum = Math.fma((float) dot, w.scale(Q4.scaleIndex(rows, n, r, b)) * dx, sum);
                continue;
            }
            u += Q4.scale(scales, rows, n, r, b) * (dot + eight);
            v += Q4.min(scales, rows, n, r, b) * (eight >> 3);
            if (b % 8 == 7) {
                float d = Float.float16ToFloat(scales.get(Tensor.I16_LE, Q4.dAt(rows, n, r, b)));
                float dmin = Float.float16ToFloat(scales.get(Tensor.I16_LE, Q4.dminAt(rows, n, r, b)));
                sum = Math.fma((float) u, d * dx, sum);
                sum = Math.fma((float) v, -(dmin * dx), sum);
                u = v = 0;
            }
        }
        return sum;
    }

    private static final ShortVector LOW_BYTES = ShortVector.broadcast(S, (short) 0xFF);
    /** A Q4_K scale byte's scale (its low six bits), and its min's low two bits (the top two, shifted down), in both bytes of a short. */
    private static final ShortVector SCALE_BITS = ShortVector.broadcast(S, (short) 0x3F), MIN_LOW_BITS = ShortVector.broadcast(S, (short) 0x0303);
    /** A mins byte's two nibbles (the high four bits of two blocks' mins) each moved to bits 2-5, in both bytes of a short. */
    private static final ShortVector MIN_HIGH_BITS = ShortVector.broadcast(S, (short) 0x3C3C);
    /**
     * Shift counts as vectors: a shift by a constant int came out as a move of the count into a
     * vector register before every shift (vmovd, then vpsrlw); by a vector, one vpsrlvw.
     */
    private static final ShortVector BY_8 = ShortVector.broadcast(S, (short) 8), BY_6 = ShortVector.broadcast(S, (short) 6),
            BY_4 = ShortVector.broadcast(S, (short) 4), BY_2 = ShortVector.broadcast(S, (short) 2);
    /** Blocks of a Q4_K super-block. */
    private static final int SPAN_BLOCKS = Q4.SUPER / Q4.BLOCK;
    /** Per thread, the block sums of {@link #blockSums} (two blocks' worth) and a Q4_K super-block's integer sums u and v ({@link #superBlock}). */
    private static final ThreadLocal<short[]> SUMS = ThreadLocal.withInitial(() -> new short[2 * 4 * 32]);
    private static final ThreadLocal<int[]> TOTALS = ThreadLocal.withInitial(() -> new int[2 * Q4.GROUP]);
    /** Per thread, the per-row factors of {@link #factors} for {@link #decodeColumns}. */
    private static final ThreadLocal<float[]> FACTORS = ThreadLocal.withInitial(() -> new float[2 * Q4.GROUP]);

    /**
     * {@code count} blocks (32 columns each) of groups a and b (b read only if {@code two}), from
     * byte pa and pb of the nibbles, against the activation's xq from byte x (and each block's 8 sum
     * xq from byte eightSums of xs): each row's sum (q - 8) xq, into s as shorts (see the class
     * comment): block c's s[128 c .. + 32) rows 0-31 of a, [+ 32 .. + 64) rows 32-63, [+ 64 .. + 128)
     * those of b. Both types' kernels call it and scale the sums as they need: a call and a few
     * vectors stored and loaded per call, against its 16 column pairs' work a block (returning
     * vectors would allocate them; the caller's live vectors are spilled across the call). Each
     * block scaled right after its loads decoded faster than the sums of 8 blocks at a time (the
     * memory streams wait less); Q4_K, whose per-block scaling is light, takes two blocks a call
     * (4-6% faster than one, four slower again), Q4_0 one (two made no difference).
     */
    private static void blockSums(MemorySegment q, long pa, long pb, boolean two, MemorySegment xs, long x, long eightSums, int count, short[] s) {
        for (int c = 0; c < count; c++) {
            ShortVector aAll = ShortVector.zero(S), aHigh = aAll, bAll = aAll, bHigh = aAll;
            for (long end = x + 2L * Q4.BLOCK; x < end; x += 4, pa += 64, pb += 64) {
                int pair = xs.get(INT_LE, x);
                ShortVector x0 = ShortVector.broadcast(S, (short) pair), x1 = ShortVector.broadcast(S, (short) (pair >> 16));
                ShortVector va = ShortVector.fromMemorySegment(S, q, pa, LE);
                aAll = aAll.add(all(va, x0, x1));
                aHigh = aHigh.add(high(va, x0, x1));
                if (two) { // the same every iteration: C2 compiles the loop once for each value
                    ShortVector vb = ShortVector.fromMemorySegment(S, q, pb, LE);
                    bAll = bAll.add(all(vb, x0, x1));
                    bHigh = bHigh.add(high(vb, x0, x1));
                }
            }
            // rows k + 32: sum (hi - 8) xq; rows k: sum (lo - 8) xq = all - 16 high - 8 sum xq, modulo 2^16
            ShortVector eight = ShortVector.broadcast(S, xs.get(Tensor.I16_LE, eightSums + 2L * c));
            aAll.sub(aHigh.lanewise(VectorOperators.LSHL, 4)).sub(eight).intoArray(s, 128 * c);
            aHigh.sub(eight).intoArray(s, 128 * c + 32);
            if (!two) continue;
            bAll.sub(bHigh.lanewise(VectorOperators.LSHL, 4)).sub(eight).intoArray(s, 128 * c + 64);
            bHigh.sub(eight).intoArray(s, 128 * c + 96);
        }
    }

    /*
     * A column pair v (column c in the low bytes, c + 1 in the high ones) times the columns' xq:
     * (lo + 16 hi) x0 + (lo' + 16 hi') x1, and hi x0 + hi' x1; written once for both groups, small
     * enough that C2 always inlines them (and finds the masked and shifted v they share once).
     */
    private static ShortVector all(ShortVector v, ShortVector x0, ShortVector x1) {
        return v.and(LOW_BYTES).mul(x0).add(v.lanewise(VectorOperators.LSHR, BY_8).mul(x1));
    }

    private static ShortVector high(ShortVector v, ShortVector x0, ShortVector x1) {
        return v.and(LOW_BYTES).lanewise(VectorOperators.LSHR, BY_4).mul(x0).add(v.lanewise(VectorOperators.LSHR, BY_8).lanewise(VectorOperators.LSHR, BY_4).mul(x1));
    }

    /**
     * Q4_0 groups a and b (first rows; b = a for a group alone, read once) into out: per block, the
     * rows' sums t ({@link #blockSums}) widened and added, f = fma(t, d dx, f), the F16 d widened in
     * the vector. Accumulators a0..a3 hold rows 0-15, 16-31, 32-47, 48-63 of a, b0..b3 those of b.
     * The Vector API calls are written out: C2 allocates a vector passed to a method it did not
     * inline; through an array of factors, as prefill's, the scales decoded a sixth slower.
     */
    private static void groups(Tensor w, int a, int b, MemorySegment xs, float[] out, int oo) {
        int n = w.cols(), blocks = n / Q4.BLOCK;
        long rows = w.rows();
        MemorySegment q = w.data(), scales = w.scales();
        boolean two = a != b;
        short[] s = SUMS.get();
        long pa = (long) a * (n / 2), pb = (long) b * (n / 2);
        // offsets outside the loop, as in groupsK: a group's 64 F16 d of consecutive blocks are 128 bytes apart
        long sums = sumsAt(n), dx = dxAt(n), scalesA = Q4.scaleIndex(rows, n, a, 0) * 2, scalesB = Q4.scaleIndex(rows, n, b, 0) * 2;
        FloatVector zero = FloatVector.zero(F), a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
        for (int block = 0; block < blocks; block++, pa += 32 * Q4.BLOCK, pb += 32 * Q4.BLOCK) {
            blockSums(q, pa, pb, two, xs, 2L * Q4.BLOCK * block, sums + 2L * block, 1, s);
            FloatVector step = FloatVector.broadcast(F, xs.get(Tensor.F32_LE, dx + 4L * block));
            long sa = scalesA + 128L * block, sb = scalesB + 128L * block;
            ShortVector aLow = ShortVector.fromArray(S, s, 0), aHigh = ShortVector.fromArray(S, s, 32);
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
            ShortVector bLow = ShortVector.fromArray(S, s, 64), bHigh = ShortVector.fromArray(S, s, 96);
            ShortVector db = ShortVector.fromMemorySegment(S, scales, sb, LE), eb = ShortVector.fromMemorySegment(S, scales, sb + 64, LE);
            b0 = ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) db.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b0);
            b1 = ((FloatVector) bLow.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) db.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b1);
            b2 = ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 0).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) eb.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b2);
            b3 = ((FloatVector) bHigh.convertShape(VectorOperators.S2I, I, 1).convert(VectorOperators.I2F, 0))
                    .fma(((IntVector) eb.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step), b3);
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

    /**
     * Q4_K groups a and b (as {@link #groups}) into out. One dx serves a super-block, so its eight
     * blocks combine in integers as ggml's Q4_K x Q8_K dot does: u = sum sc (t + 8 sum xq) over
     * the blocks (t the row's sum (q - 8) xq of a block), then one float step per super-block
     * ({@link #superBlock}). Per block that is the 6-bit scales widened, an add, a multiply and an
     * add in 32-bit lanes; a float step per block, through factors widened from the scales and
     * the F16 d and dmin, decoded at about Q8_0's speed (bench/README.md). The lines for groups a
     * and b are written out, as in {@link #groups}: one helper for both, summing into an array
     * instead of registers (and Q4_0's likewise into out), decoded 7-9% slower (Q4_0 7-16%).
     */
    private static void groupsK(Tensor w, int a, int b, MemorySegment xs, float[] out, int oo) {
        int n = w.cols();
        long rows = w.rows();
        MemorySegment q = w.data(), scales = w.scales();
        boolean two = a != b;
        short[] s = SUMS.get();
        int[] totals = TOTALS.get();
        long pa = (long) a * (n / 2), pb = (long) b * (n / 2);
        Arrays.fill(out, oo + a, oo + a + Q4.GROUP, 0f);
        if (two) Arrays.fill(out, oo + b, oo + b + Q4.GROUP, 0f);
        long sums = sumsAt(n);
        for (int first = 0; first < n / Q4.BLOCK; first += SPAN_BLOCKS) {
            // the groups' scale bytes of the super-block's blocks, 64 apart; taken before any vector is live, since a
            // call C2 does not inline (it stops inlining in a method this large) spills and reloads every live vector
            long scalesA = Q4.scaleAt(rows, n, a, first), scalesB = Q4.scaleAt(rows, n, b, first);
            IntVector none = IntVector.zero(I), ua0 = none, ua1 = none, ua2 = none, ua3 = none, ub0 = none, ub1 = none, ub2 = none, ub3 = none;
            for (int block = first; block < first + SPAN_BLOCKS; block++, pa += 32 * Q4.BLOCK, pb += 32 * Q4.BLOCK) {
                int h = (block - first) % 2 * 128; // two blocks' sums a call
                if (h == 0) blockSums(q, pa, pb, two, xs, 2L * Q4.BLOCK * block, sums + 2L * block, 2, s);
                IntVector eight = IntVector.broadcast(I, xs.get(Tensor.I16_LE, sums + 2L * block));
                // the scales of rows k and k + 32 in short k, as the sums
                ShortVector sa = ShortVector.fromMemorySegment(S, scales, scalesA + 64L * (block - first), LE), ka = sa.and(SCALE_BITS), la = sa.lanewise(VectorOperators.LSHR, BY_8).and(SCALE_BITS);
                ShortVector aLow = ShortVector.fromArray(S, s, h), aHigh = ShortVector.fromArray(S, s, h + 32);
                ua0 = ua0.add(((IntVector) aLow.convertShape(VectorOperators.S2I, I, 0)).add(eight).mul((IntVector) ka.convertShape(VectorOperators.S2I, I, 0)));
                ua1 = ua1.add(((IntVector) aLow.convertShape(VectorOperators.S2I, I, 1)).add(eight).mul((IntVector) ka.convertShape(VectorOperators.S2I, I, 1)));
                ua2 = ua2.add(((IntVector) aHigh.convertShape(VectorOperators.S2I, I, 0)).add(eight).mul((IntVector) la.convertShape(VectorOperators.S2I, I, 0)));
                ua3 = ua3.add(((IntVector) aHigh.convertShape(VectorOperators.S2I, I, 1)).add(eight).mul((IntVector) la.convertShape(VectorOperators.S2I, I, 1)));
                if (!two) continue;
                ShortVector sb = ShortVector.fromMemorySegment(S, scales, scalesB + 64L * (block - first), LE), kb = sb.and(SCALE_BITS), lb = sb.lanewise(VectorOperators.LSHR, BY_8).and(SCALE_BITS);
                ShortVector bLow = ShortVector.fromArray(S, s, h + 64), bHigh = ShortVector.fromArray(S, s, h + 96);
                ub0 = ub0.add(((IntVector) bLow.convertShape(VectorOperators.S2I, I, 0)).add(eight).mul((IntVector) kb.convertShape(VectorOperators.S2I, I, 0)));
                ub1 = ub1.add(((IntVector) bLow.convertShape(VectorOperators.S2I, I, 1)).add(eight).mul((IntVector) kb.convertShape(VectorOperators.S2I, I, 1)));
                ub2 = ub2.add(((IntVector) bHigh.convertShape(VectorOperators.S2I, I, 0)).add(eight).mul((IntVector) lb.convertShape(VectorOperators.S2I, I, 0)));
                ub3 = ub3.add(((IntVector) bHigh.convertShape(VectorOperators.S2I, I, 1)).add(eight).mul((IntVector) lb.convertShape(VectorOperators.S2I, I, 1)));
            }
            ua0.intoArray(totals, 0);
            ua1.intoArray(totals, 16);
            ua2.intoArray(totals, 32);
            ua3.intoArray(totals, 48);
            superBlock(scales, rows, n, a, first, xs, totals, out, oo + a);
            if (!two) continue;
            ub0.intoArray(totals, 0);
            ub1.intoArray(totals, 16);
            ub2.intoArray(totals, 32);
            ub3.intoArray(totals, 48);
            superBlock(scales, rows, n, b, first, xs, totals, out, oo + b);
        }
    }

    /**
     * The float step of a Q4_K super-block (blocks first .. first + 7) for the 64 rows of the group
     * starting at row r: with u (totals[0 .. 64), {@link #groupsK}) and v = sum m sum xq over the
     * blocks (integers, put in totals[64 .. 128)), f = fma(u, d dx, f), then f = fma(v, -(dmin dx),
     * f), f being out[at ..]; d and dmin widened from F16 in the vector.
     */
    private static void superBlock(MemorySegment scales, long rows, int n, long r, int first, MemorySegment xs, int[] totals, float[] out, int o) {
        // every offset before the vectors (see groupsK): the group's scale and mins bytes of a block 64 apart
        long s0 = Q4.scaleAt(rows, n, r, first), h0 = Q4.minsAt(rows, n, r, first), sums = sumsAt(n) + 2L * first;
        long d = Q4.dAt(rows, n, r, first), dmin = Q4.dminAt(rows, n, r, first), dx = dxAt(n) + 4L * first;
        // sum m sum xq in 16-bit lanes: sum xq = 64 h + l (l in 0..63, |h| <= 64), so m h and m l, and 8 of each summed, fit a short
        ShortVector zero = ShortVector.zero(S), kh = zero, kl = zero, lh = zero, ll = zero;
        for (int j = 0; j < SPAN_BLOCKS; j++) {
            int sum = xs.get(Tensor.I16_LE, sums + 2L * j) >> 3;
            // the min: its low two bits atop the scale byte, its high four a nibble of the byte it shares with block j +- 4
            ShortVector high = ShortVector.fromMemorySegment(S, scales, h0 + 64L * (j % 4), LE);
            high = (j < 4 ? high.lanewise(VectorOperators.LSHL, BY_2) : high.lanewise(VectorOperators.LSHR, BY_2)).and(MIN_HIGH_BITS);
            ShortVector m = ShortVector.fromMemorySegment(S, scales, s0 + 64L * j, LE).lanewise(VectorOperators.LSHR, BY_6).and(MIN_LOW_BITS).or(high);
            ShortVector mk = m.and(LOW_BYTES), ml = m.lanewise(VectorOperators.LSHR, BY_8);
            ShortVector h = ShortVector.broadcast(S, (short) (sum >> 6)), l = ShortVector.broadcast(S, (short) (sum & 63));
            kh = kh.add(mk.mul(h));
            kl = kl.add(mk.mul(l));
            lh = lh.add(ml.mul(h));
            ll = ll.add(ml.mul(l));
        }
        ((IntVector) kh.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 6).add((IntVector) kl.convertShape(VectorOperators.S2I, I, 0)).intoArray(totals, 64);
        ((IntVector) kh.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 6).add((IntVector) kl.convertShape(VectorOperators.S2I, I, 1)).intoArray(totals, 80);
        ((IntVector) lh.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 6).add((IntVector) ll.convertShape(VectorOperators.S2I, I, 0)).intoArray(totals, 96);
        ((IntVector) lh.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 6).add((IntVector) ll.convertShape(VectorOperators.S2I, I, 1)).intoArray(totals, 112);
        FloatVector step = FloatVector.broadcast(F, xs.get(Tensor.F32_LE, dx));
        for (int half = 0; half < 2; half++) { // rows 32 half ..: their F16 d (dmin) from byte 64 half, whole vectors (masked loads were slower)
            ShortVector ds = ShortVector.fromMemorySegment(S, scales, d + 64 * half, LE), dmins = ShortVector.fromMemorySegment(S, scales, dmin + 64 * half, LE);
            int k = o + 32 * half, t = 32 * half;
            FloatVector p = ((IntVector) ds.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step);
            FloatVector pm = ((IntVector) dmins.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step).neg();
            FloatVector f = ((FloatVector) IntVector.fromArray(I, totals, t).convert(VectorOperators.I2F, 0)).fma(p, FloatVector.fromArray(F, out, k));
            ((FloatVector) IntVector.fromArray(I, totals, 64 + t).convert(VectorOperators.I2F, 0)).fma(pm, f).intoArray(out, k);
            p = ((IntVector) ds.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step);
            pm = ((IntVector) dmins.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).mul(step).neg();
            f = ((FloatVector) IntVector.fromArray(I, totals, t + 16).convert(VectorOperators.I2F, 0)).fma(p, FloatVector.fromArray(F, out, k + 16));
            ((FloatVector) IntVector.fromArray(I, totals, 80 + t).convert(VectorOperators.I2F, 0)).fma(pm, f).intoArray(out, k + 16);
        }
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
     * The factors of block {@code block} for rows 32h .. 32h + 31 of the group starting at row r,
     * into f[32h .. 32h + 32) (p) and, for Q4_K, f[64 + 32h ..) (m), rows in order: Q4_0 p = d;
     * Q4_K p = d sc and m = dmin m (products of F16 and 6-bit values: exact). The group's Q4_0 d of
     * a block are 64 F16 side by side; its Q4_K scales and mins of a block are 64 bytes (rows k and
     * k + 32 in short k), its d and dmin of the super-block 64 F16 each.
     */
    private static void factors(Tensor w, long r, int block, int h, float[] f) {
        int n = w.cols();
        long rows = w.rows();
        MemorySegment scales = w.scales();
        if (w.dtype() == DType.Q4_0) {
            ShortVector d = ShortVector.fromMemorySegment(S, scales, Q4.scaleIndex(rows, n, r, block) * 2 + 64 * h, LE);
            ((IntVector) d.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).intoArray(f, 32 * h);
            ((IntVector) d.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112).intoArray(f, 32 * h + 16);
            return;
        }
        // rows k: the low bytes of the scales' shorts; rows k + 32: the high ones
        ShortVector bytes = ShortVector.fromMemorySegment(S, scales, Q4.scaleAt(rows, n, r, block), LE).lanewise(VectorOperators.LSHR, 8 * h).and(LOW_BYTES);
        ShortVector high = ShortVector.fromMemorySegment(S, scales, Q4.minsAt(rows, n, r, block), LE).lanewise(VectorOperators.LSHR, 8 * h + 4 * (block % 8 / 4));
        ShortVector sc = bytes.and(SCALE_BITS), m = bytes.lanewise(VectorOperators.LSHR, 6).or(high.and((short) 0xF).lanewise(VectorOperators.LSHL, 2));
        ShortVector ds = ShortVector.fromMemorySegment(S, scales, Q4.dAt(rows, n, r, block) + 64 * h, LE), dmins = ShortVector.fromMemorySegment(S, scales, Q4.dminAt(rows, n, r, block) + 64 * h, LE);
        for (int p = 0; p < 2; p++) {
            ((IntVector) ds.convertShape(VectorOperators.S2I, I, p)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112)
                    .mul((FloatVector) sc.convertShape(VectorOperators.S2I, I, p).convert(VectorOperators.I2F, 0)).intoArray(f, 32 * h + 16 * p);
            ((IntVector) dmins.convertShape(VectorOperators.S2I, I, p)).lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(TWO_112)
                    .mul((FloatVector) m.convertShape(VectorOperators.S2I, I, p).convert(VectorOperators.I2F, 0)).intoArray(f, 64 + 32 * h + 16 * p);
        }
    }

    /**
     * {@link WeightRows#decodeColumns}: 16 rows of a group (r0 a multiple of 16) are half the
     * lanes of its column pairs' vectors, at one nibble position, so each pair gives both columns'
     * 16 values in a few operations, each value rounded once as {@link Q4#value} rounds it
     * ((q - 8) d; d sc q - dmin m, the products exact; the factors of {@link #factors});
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
            factors(w, r0 - k, b, k / 32, f); // d, or d sc and dmin m, of the half holding the rows
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

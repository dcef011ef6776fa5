package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;
import static org.knowcoder.tensor.kernels.Simd.I;

/**
 * Dot products of BF16 and F16 weight rows with an activation, for {@link WeightRows}. The weights
 * are read as ints holding the pair (w[2j], w[2j+1]); both halves are widened (BF16: a shift for the
 * even one, a mask for the odd one) and matched with the even and odd activations, which
 * {@link #prepare} lays out apart.
 *
 * <p>Alignment: a vector load that straddles two cache lines costs dearly, and checkpoint data is
 * seldom aligned (a safetensors header is padded to 8 bytes only; in our stories110M-shaped BF16
 * export every row starts 48 bytes past a 64-byte boundary). Re-written with its data on a boundary,
 * that file decoded 16% faster (median of 6 alternated pairs). So each row's vector loop starts at
 * its first vector boundary, and the activation is placed so that its loads are aligned too
 * ({@link #activationShift}). Matrices whose rows all sit alike are read as aligned streams
 * ({@link #dotStream}); other rows load the pairs before and after their aligned part as one
 * masked vector each ({@link #edges}).
 *
 * <p>F16 widening: the Vector API of JDK 25 has no F16 conversion, so F16 is widened with integer
 * operations ({@link #f16ToF32}, eight per vector). In the streams, tensors of finite F16 values
 * (nearly all) take a widening of two ({@link #f16Tiny}), the exponent re-bias moved into the
 * activation; {@link Tensor#hasF16Specials} says which those are.
 */
final class HalfRows {
    private HalfRows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Bytes of one float vector, and of one int vector of weight pairs. */
    private static final long VB = 4L * FL;

    /**
     * 2^112, which re-biases an F16 exponent to F32's. {@link #f16Tiny} leaves it out of the weights,
     * and {@link #prepare} puts it into the activation of the F16 matrices that stream.
     */
    private static final float REBIAS = 0x1p112f;
    /** The bits {@link #f16Tiny} keeps after its shift: the sign, and the exponent and mantissa in F32 position. */
    private static final int F16_TINY = 0x8FFFE000;
    /** Per lane, the bits {@link #dotStream} keeps of each F16 pair after its shift ({@link #F16_TINY}), and of a BF16 pair's upper half. */
    private static final int[] F16_KEEP = new int[FL], BF16_KEEP = new int[FL];
    static {
        Arrays.fill(F16_KEEP, F16_TINY);
        Arrays.fill(BF16_KEEP, 0xFFFF0000);
    }
    /** Activations from this magnitude up could overflow times 2^112: such an input is laid out as is, and read by dotRow. */
    private static final float SCALABLE = 0x1p15f;

    /**
     * Floats {@link #prepare} writes for {@code n} columns: the even elements, the first vector of
     * them again, the odd elements, the first vector of them again, an odd n's last element, and
     * the factor they were multiplied by ({@link #scaleIndex}). Each repeat lets a vector that runs
     * past the last pair read on into the first ones, as the weights of the next row do in
     * {@link #dotStream}.
     */
    static int activationFloats(int n) {
        return 2 * (n / 2 + FL) + 2;
    }

    private static int scaleIndex(int n) {
        return 2 * (n / 2 + FL) + 1;
    }

    /**
     * Whether {@code w} is F16 read by {@link #dotStream}: rows that all sit alike and no infinity
     * or NaN, which {@link #f16Tiny} would widen to finite values.
     */
    static boolean streamsF16(Tensor w) {
        return w.dtype() == DType.F16 && uniformRows(w) && !w.hasF16Specials();
    }

    /** Byte offset of the odd elements in the activation layout. */
    private static long oddBase(int n) {
        return (n / 2 + FL) * 4L;
    }

    /**
     * The activation for {@code w} in the layout of {@link #activationFloats}; for a matrix that
     * {@link #streamsF16}, times 2^112 when every element is below {@link #SCALABLE} in magnitude.
     * A power of two scales exactly, and the product of a weight without its re-bias and the
     * scaled element is the same real number as the product of the two as they are, so every
     * product and sum rounds as it would: the results are bit for bit the same.
     */
    static void prepare(Tensor w, float[] x, int xo, MemorySegment xs) {
        int n = w.cols(), pairs = n / 2, odd = pairs + FL;
        float scale = streamsF16(w) ? REBIAS : 1;
        for (int i = 0; i < n && scale != 1; i++) if (!(Math.abs(x[xo + i]) < SCALABLE)) scale = 1; // NaN too
        for (int j = 0; j < pairs; j++) {
            xs.setAtIndex(Tensor.F32_LE, j, x[xo + 2 * j] * scale);
            xs.setAtIndex(Tensor.F32_LE, odd + j, x[xo + 2 * j + 1] * scale);
        }
        for (int j = 0; j < FL && pairs > 0; j++) {
            xs.setAtIndex(Tensor.F32_LE, pairs + j, x[xo + 2 * (j % pairs)] * scale);
            xs.setAtIndex(Tensor.F32_LE, odd + pairs + j, x[xo + 2 * (j % pairs) + 1] * scale);
        }
        if (n % 2 != 0) xs.setAtIndex(Tensor.F32_LE, 2 * odd, x[xo + n - 1] * scale);
        xs.setAtIndex(Tensor.F32_LE, scaleIndex(n), scale);
    }

    /**
     * Where in a 64-byte aligned buffer the activation for {@code w} should start (bytes, a
     * multiple of 4) so that the loads of it that go with aligned weight loads are aligned too;
     * zero unless every row of {@code w} lies alike against vector boundaries.
     */
    static long activationShift(Tensor w) {
        if (!uniformRows(w)) return 0;
        return -vectorPairsStart(w.data(), 0, w.cols()) & 63;
    }

    /** Whether every row starts at the same offset from a vector boundary, one that int loads can reach. */
    private static boolean uniformRows(Tensor w) {
        return w.cols() * 2L % VB == 0 && w.data().address() % 4 == 0;
    }

    /** out[oo + r] = row r of a BF16 or F16 {@code w} dotted with the {@link #prepare}d activation, for rows [from, to). */
    static void dot(Tensor w, int from, int to, MemorySegment xs, float[] out, int oo) {
        MemorySegment data = w.data();
        int n = w.cols();
        long start = vectorPairsStart(data, 0, n);
        boolean bf16 = w.dtype() == DType.BF16;
        if (bf16 ? uniformRows(w) : streamsF16(w) && xs.getAtIndex(Tensor.F32_LE, scaleIndex(n)) == REBIAS) {
            dotStream(data, n, w.rows(), from, to, start, xs, out, oo, !bf16);
            return;
        }
        for (int r = from; r < to; r++) out[oo + r] = dotRow(data, bf16, n, r, xs);
    }

    /**
     * The upper F16 of each int lane times 2^-112, exactly, for finite values: sign in place,
     * exponent and mantissa moved to F32 position, 3 bits right (an arithmetic shift brings the
     * sign along; the mask drops its copies and the other half). Times 2^112 that would re-bias the
     * exponent and normalize subnormals; the activation carries that factor ({@link #prepare}). Two
     * vector operations where {@link #f16ToF32} takes eight. An exponent of all ones would come out
     * finite, so tensors holding one do not come here.
     */
    private static FloatVector f16Tiny(IntVector pairs) {
        return pairs.lanewise(VectorOperators.ASHR, 3).and(F16_TINY).reinterpretAsFloats();
    }

    /**
     * Row {@code row}: the vector loop over its aligned pairs, then {@link #edges}. One method for
     * both dtypes: the matrices decoding spends its time on take {@link #dotStream}.
     */
    private static float dotRow(MemorySegment w, boolean bf16, int n, long row, MemorySegment xs) {
        long o = row * n * 2L, start = vectorPairsStart(w, o, n), end = vectorPairsEnd(n, start);
        long wo = o + start, xe = start, xo = oddBase(n) + start, length = end - start;
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        for (long d = 0; d < length; d += VB) {
            IntVector p = IntVector.fromMemorySegment(I, w, wo + d, LE);
            even = widenEven(p, bf16).fma(FloatVector.fromMemorySegment(F, xs, xe + d, LE), even);
            odd = widenOdd(p, bf16).fma(FloatVector.fromMemorySegment(F, xs, xo + d, LE), odd);
        }
        return Simd.sum(even.add(odd)) + edges(w, bf16, n, o, start, end, xs);
    }

    /**
     * BF16 or finite F16 ({@code f16}) rows [from, to) of a matrix whose rows (a whole number of
     * vectors long) all start {@code start} bytes before a vector boundary, read with aligned loads
     * only: each row's whole vectors from its first boundary on, then ({@link #endRows}) the vector
     * it shares with the next row, its last pairs in the first lanes and the next row's first pairs
     * in the others. That vector's products are formed once: the lanes of this row go into its sum,
     * the others into the next row's. Only the matrix's first row (whose first pairs no shared
     * vector holds) and its last (which shares its last vector with none) read a straddling vector.
     * A row's sum is formed the same way whichever range and stream it falls in (a range starts by
     * forming its first row's share of the vector before it), so results do not depend on the
     * thread count.
     *
     * <p>The range is read as four streams, its quarters, a row of each per step sharing the
     * activation loads. Streams far apart keep more memory reads in flight than one; adjacent rows
     * do not (in a bare loop, -20 to -30%: the prefetcher does not follow them). Two streams against
     * the one aligned stream before them ({@code MatVecAB}, rows 48 bytes past a boundary, 256 MB of
     * 2048 x 768 matrices): +6 to +16% with 2 threads, +20% on one core; four against two: F16
     * decode about +6% (bench/README.md). Rows side by side also keep their chains of FMAs apart,
     * which one row at a time ({@link #dotRow}) serializes.
     *
     * <p>Vector values never cross a call here, and the vector operations are written out: C2
     * stops inlining our own methods into a method this large (NodeCountInliningCutoff), and a
     * vector passed to or from a method that is not inlined is allocated (that made the whole
     * product 5 times slower). The rows' products go through {@code acc} to {@link #endRows}, which C2
     * compiles on its own (too large to inline), where its vectors stay in registers.
     */
    private static void dotStream(MemorySegment w, int n, long rows, int from, int to, long start, MemorySegment xs,
                                  float[] out, int oo, boolean f16) {
        long rowBytes = n * 2L, odd = oddBase(n), whole = start == 0 ? rowBytes : rowBytes - VB;
        // stream j reads rows from + j q + k at step k; those from `to` on re-read row to - 1 and are not written
        int q = (to - from + STREAMS - 1) / STREAMS;
        float[] acc = ACCUMULATORS.get();
        // the mask is loaded, not a broadcast constant: C2 re-broadcasts a constant from memory at each use
        IntVector keep = IntVector.fromArray(I, f16 ? F16_KEEP : BF16_KEEP, 0);
        // step k = -1 reads no whole vectors and writes nothing: it forms each stream's share of the vector before its first row
        for (int k = -1; k < q; k++) {
            if (k >= 0) {
                long b0 = streamRow(from, q, k, to, 0) * rowBytes + start, b1 = streamRow(from, q, k, to, 1) * rowBytes + start;
                long b2 = streamRow(from, q, k, to, 2) * rowBytes + start, b3 = streamRow(from, q, k, to, 3) * rowBytes + start;
                FloatVector e0 = FloatVector.zero(F), o0 = e0, e1 = e0, o1 = e0, e2 = e0, o2 = e0, e3 = e0, o3 = e0;
                for (long d = 0; d < whole; d += VB) {
                    FloatVector ve = FloatVector.fromMemorySegment(F, xs, start + d, LE);
                    FloatVector vo = FloatVector.fromMemorySegment(F, xs, odd + start + d, LE);
                    IntVector p0 = IntVector.fromMemorySegment(I, w, b0 + d, LE), p1 = IntVector.fromMemorySegment(I, w, b1 + d, LE);
                    IntVector p2 = IntVector.fromMemorySegment(I, w, b2 + d, LE), p3 = IntVector.fromMemorySegment(I, w, b3 + d, LE);
                    // the widenings of streamEven (x) and streamOdd (y)
                    IntVector x0 = p0.lanewise(VectorOperators.LSHL, 16), x1 = p1.lanewise(VectorOperators.LSHL, 16);
                    IntVector x2 = p2.lanewise(VectorOperators.LSHL, 16), x3 = p3.lanewise(VectorOperators.LSHL, 16);
                    IntVector y0 = (f16 ? p0.lanewise(VectorOperators.ASHR, 3) : p0).and(keep);
                    IntVector y1 = (f16 ? p1.lanewise(VectorOperators.ASHR, 3) : p1).and(keep);
                    IntVector y2 = (f16 ? p2.lanewise(VectorOperators.ASHR, 3) : p2).and(keep);
                    IntVector y3 = (f16 ? p3.lanewise(VectorOperators.ASHR, 3) : p3).and(keep);
                    if (f16) {
                        x0 = x0.lanewise(VectorOperators.ASHR, 3).and(keep);
                        x1 = x1.lanewise(VectorOperators.ASHR, 3).and(keep);
                        x2 = x2.lanewise(VectorOperators.ASHR, 3).and(keep);
                        x3 = x3.lanewise(VectorOperators.ASHR, 3).and(keep);
                    }
                    e0 = x0.reinterpretAsFloats().fma(ve, e0);
                    o0 = y0.reinterpretAsFloats().fma(vo, o0);
                    e1 = x1.reinterpretAsFloats().fma(ve, e1);
                    o1 = y1.reinterpretAsFloats().fma(vo, o1);
                    e2 = x2.reinterpretAsFloats().fma(ve, e2);
                    o2 = y2.reinterpretAsFloats().fma(vo, o2);
                    e3 = x3.reinterpretAsFloats().fma(ve, e3);
                    o3 = y3.reinterpretAsFloats().fma(vo, o3);
                }
                // each stream's sum so far: its whole vectors, then its share of the vector before it
                e0.add(o0).add(FloatVector.fromArray(F, acc, FL)).intoArray(acc, 0);
                e1.add(o1).add(FloatVector.fromArray(F, acc, 3 * FL)).intoArray(acc, 2 * FL);
                e2.add(o2).add(FloatVector.fromArray(F, acc, 5 * FL)).intoArray(acc, 4 * FL);
                e3.add(o3).add(FloatVector.fromArray(F, acc, 7 * FL)).intoArray(acc, 6 * FL);
            }
            endRows(w, from, q, k, to, rows, rowBytes, start, xs, odd, f16, acc, out, oo);
        }
    }

    /** The row stream j of {@link #dotStream} reads at step k; past the range's end, its last row again. */
    private static long streamRow(int from, int q, int k, int to, int j) {
        return Math.min(from + j * q + k, to - 1);
    }

    /** The streams {@link #dotStream} reads side by side (its loop is written for four). */
    private static final int STREAMS = 4;

    /**
     * Per thread, {@link #dotStream}'s two vectors per stream: the current row's products so far,
     * and the next row's share of the vector the two rows share.
     */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[2 * STREAMS * FL]);

    /**
     * For {@link #dotStream}'s step k: the sum of each stream j's row {@link #streamRow} into
     * out[oo + row] where it is one of the range's (k >= 0, row before {@code to}), from the products
     * so far in acc[2 j FL ..] and those of the vector the row shares with the row after it, whose
     * products of that next row are left in acc[(2 j + 1) FL ..] (zeros where there is no such
     * vector: rows on boundaries, the last row, row -1). Row 0's first pairs and the last row's
     * last pairs, which no shared vector holds, come from straddling loads. One call for all the
     * streams: its checks and loads of the activation are a large share of its work. C2 compiles
     * this on its own: no hot method over 325 bytecodes (FreqInlineSize) is inlined, and inlined
     * into dotStream it would exceed that method's node budget.
     */
    private static void endRows(MemorySegment w, int from, int q, int k, int to, long rows, long rowBytes, long start,
                                MemorySegment xs, long odd, boolean f16, float[] acc, float[] out, int oo) {
        boolean shares = start != 0;
        VectorMask<Float> first = F.indexInRange(0, (int) (start / 4)); // the lanes of a row's first pairs in a load from its start
        VectorMask<Float> own = F.indexInRange(0, (int) ((VB - start) / 4)); // a shared vector's lanes of the row it ends
        long x = rowBytes - VB + start; // the activation of every shared vector: the last pairs, then the layout's repeat of the first
        FloatVector xe = shares ? FloatVector.fromMemorySegment(F, xs, x, LE) : FloatVector.zero(F);
        FloatVector xo = shares ? FloatVector.fromMemorySegment(F, xs, odd + x, LE) : xe;
        for (int stream = 0; stream < STREAMS; stream++) {
            long row = streamRow(from, q, k, to, stream);
            int at = 2 * FL * stream;
            FloatVector sum = FloatVector.fromArray(F, acc, at), next = FloatVector.zero(F);
            float ends = 0;
            if (shares && row >= 0) {
                if (row + 1 < rows) {
                    FloatVector products = products(IntVector.fromMemorySegment(I, w, (row + 1) * rowBytes + start - VB, LE), xe, xo, f16);
                    sum = sum.add(products.blend(0f, own.not()));
                    next = products.blend(0f, own);
                } else { // the last lanes of the row's last vector of bytes
                    long y = rowBytes - VB;
                    FloatVector products = products(IntVector.fromMemorySegment(I, w, row * rowBytes + y, LE),
                            FloatVector.fromMemorySegment(F, xs, y, LE), FloatVector.fromMemorySegment(F, xs, odd + y, LE), f16);
                    ends = Simd.sum(products.blend(0f, first));
                }
                if (row == 0) {
                    FloatVector products = products(IntVector.fromMemorySegment(I, w, 0, LE),
                            FloatVector.fromMemorySegment(F, xs, 0, LE), FloatVector.fromMemorySegment(F, xs, odd, LE), f16);
                    ends += Simd.sum(products.blend(0f, first.not()));
                }
            }
            next.intoArray(acc, at + FL);
            if (k >= 0 && from + stream * q + k < to) out[oo + (int) row] = Simd.sum(sum) + ends;
        }
    }

    /** The products of a vector of pairs with the even and odd activations, lane by lane (the pairs' sums). */
    private static FloatVector products(IntVector pairs, FloatVector even, FloatVector odd, boolean f16) {
        return streamEven(pairs, f16).mul(even).add(streamOdd(pairs, f16).mul(odd));
    }

    private static FloatVector widenEven(IntVector pairs, boolean bf16) {
        return bf16 ? bf16Even(pairs) : f16ToF32(pairs.and(0xFFFF));
    }

    private static FloatVector widenOdd(IntVector pairs, boolean bf16) {
        return bf16 ? bf16Odd(pairs) : f16ToF32(pairs.lanewise(VectorOperators.LSHR, 16));
    }

    /** The even weights of {@link #dotStream}'s pairs: BF16, or finite F16 times 2^-112 ({@link #f16Tiny}). */
    private static FloatVector streamEven(IntVector pairs, boolean f16) {
        return f16 ? f16Tiny(pairs.lanewise(VectorOperators.LSHL, 16)) : bf16Even(pairs);
    }

    private static FloatVector streamOdd(IntVector pairs, boolean f16) {
        return f16 ? f16Tiny(pairs) : bf16Odd(pairs);
    }

    private static FloatVector bf16Even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector bf16Odd(IntVector pairs) {
        return pairs.and(0xFFFF0000).reinterpretAsFloats();
    }

    /**
     * Byte offset in a 16-bit row (from its start at byte {@code o} of {@code w}) where its vector
     * loop starts: the first vector boundary, when the row's pairs (ints) can reach one and the row
     * holds a whole vector; else 0.
     */
    private static long vectorPairsStart(MemorySegment w, long o, int n) {
        long address = w.address() + o, pairBytes = n / 2 * 4L;
        if (address % 4 != 0 || pairBytes < VB) return 0;
        return Math.min(-address & (VB - 1), pairBytes);
    }

    /** Byte offset where the whole-vector part of a 16-bit row ends (an int of two weights and a float of xs are both 4 bytes). */
    private static long vectorPairsEnd(int n, long start) {
        return start + (n / 2 * 4L - start) / VB * VB;
    }

    /**
     * The row's elements outside the vector loop's pair bytes [start, end): the pairs before and
     * after it as one whole-vector load each, their lanes outside the gap masked off (one at a
     * time, the 16 such pairs of a 768-wide row 48 bytes past a boundary doubled its time), then
     * an odd n's last element. Rows shorter than a vector go element by element.
     */
    private static float edges(MemorySegment w, boolean bf16, int n, long o, long start, long end, MemorySegment xs) {
        long pairBytes = n / 2 * 4L;
        if (pairBytes < VB) return elements(w, bf16, n, o, start, end, xs);
        FloatVector acc = FloatVector.zero(F);
        if (start > 0) acc = edge(acc, w, bf16, n, o, 0, xs, F.indexInRange(0, (int) (start / 4)));
        if (end < pairBytes) {
            long at = pairBytes - VB; // the row's last vector of pairs, of which the lanes from end on are left
            int first = (int) ((end - at) / 4);
            acc = edge(acc, w, bf16, n, o, at, xs, F.indexInRange(-first, FL - first));
        }
        return Simd.sum(acc) + elements(w, bf16, n, o, 0, pairBytes, xs);
    }

    /** acc plus, in the lanes of {@code lanes}, the products of the vector of pairs at byte {@code d} of the row. */
    private static FloatVector edge(FloatVector acc, MemorySegment w, boolean bf16, int n, long o, long d, MemorySegment xs,
                                    VectorMask<Float> lanes) {
        IntVector p = IntVector.fromMemorySegment(I, w, o + d, LE);
        FloatVector products = widenEven(p, bf16).mul(FloatVector.fromMemorySegment(F, xs, d, LE))
                .add(widenOdd(p, bf16).mul(FloatVector.fromMemorySegment(F, xs, oddBase(n) + d, LE)));
        return acc.add(products, lanes);
    }

    /** The row's elements outside pair bytes [start, end), one at a time. */
    private static float elements(MemorySegment w, boolean bf16, int n, long o, long start, long end, MemorySegment xs) {
        int pairs = n / 2, odd = pairs + FL;
        float s = 0;
        for (int i = 0; i < n; i++) {
            if (i == (int) (start / 2)) i = (int) (end / 2); // the vector loop's elements
            if (i >= n) break;
            // element i of x: even ones at i/2, odd ones from `odd`, a last element of odd n after both
            int at = n % 2 != 0 && i == n - 1 ? 2 * odd : i % 2 == 0 ? i / 2 : odd + i / 2;
            s += widen(w.get(Tensor.I16_LE, o + i * 2L), bf16) * xs.getAtIndex(Tensor.F32_LE, at);
        }
        return s;
    }

    /** The FL BF16 weights at byte {@code o} of {@code w}, widened in order (row decoding, see WeightRows.decode). */
    static FloatVector widenBf16(MemorySegment w, long o) {
        // S2I sign-extends; the shift drops the upper half
        IntVector h = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, o, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static float widen(short bits, boolean bf16) {
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
}

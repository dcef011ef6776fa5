package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

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
 * ({@link #activationShift}). BF16 matrices whose rows all sit alike are read as one aligned stream
 * ({@link #dotBf16Stream}); other rows load the pairs before and after their aligned part as one
 * masked vector each ({@link #edges}).
 */
final class HalfRows {
    private HalfRows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Bytes of one float vector, and of one int vector of weight pairs. */
    private static final long VB = 4L * FL;

    /**
     * Floats {@link #prepare} writes for {@code n} columns: the even elements, the first vector of
     * them again, the odd elements, the first vector of them again, an odd n's last element.
     * Each repeat lets a vector that runs past the last pair read on into the first ones, as the
     * weights of the next row do in {@link #dotBf16Stream}.
     */
    static int activationFloats(int n) {
        return 2 * (n / 2 + FL) + 1;
    }

    /** Byte offset of the odd elements in the activation layout. */
    private static long oddBase(int n) {
        return (n / 2 + FL) * 4L;
    }

    static void prepare(int n, float[] x, int xo, MemorySegment xs) {
        int pairs = n / 2, odd = pairs + FL;
        for (int j = 0; j < pairs; j++) {
            xs.setAtIndex(Tensor.F32_LE, j, x[xo + 2 * j]);
            xs.setAtIndex(Tensor.F32_LE, odd + j, x[xo + 2 * j + 1]);
        }
        for (int j = 0; j < FL && pairs > 0; j++) {
            xs.setAtIndex(Tensor.F32_LE, pairs + j, x[xo + 2 * (j % pairs)]);
            xs.setAtIndex(Tensor.F32_LE, odd + pairs + j, x[xo + 2 * (j % pairs) + 1]);
        }
        if (n % 2 != 0) xs.setAtIndex(Tensor.F32_LE, 2 * odd, x[xo + n - 1]);
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
        if (w.dtype() == DType.BF16 && uniformRows(w) && start > 0) {
            dotBf16Stream(data, n, w.rows(), from, to, start, xs, out, oo);
            return;
        }
        boolean bf16 = w.dtype() == DType.BF16;
        for (int r = from; r < to; r++) out[oo + r] = dotRow(data, bf16, n, r, xs);
    }

    /**
     * Row {@code row}: the vector loop over its aligned pairs, then {@link #edges}. One method for
     * both dtypes: the BF16 matrices decoding spends its time on take {@link #dotBf16Stream}.
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
        return even.add(odd).reduceLanes(VectorOperators.ADD) + edges(w, bf16, n, o, start, end, xs);
    }

    /**
     * BF16 rows [from, to) of a matrix whose rows (a whole number of vectors long) all start
     * {@code start} bytes before a vector boundary, read as one aligned stream. Row r's pairs from
     * its first boundary on go through the vector loop but the last vector: that one holds r's last
     * pairs (lanes below {@code split}) and row r + 1's first ones, so it is loaded once and its
     * products split between the two rows by lane. The first row of the range takes its first pairs
     * from the previous row's last vector (row 0 from a straddling load), the matrix's last row its
     * last ones from a straddling load. Every row's sum is formed the same way whichever range it
     * falls in, so results do not depend on the thread count.
     */
    private static void dotBf16Stream(MemorySegment w, int n, long rows, int from, int to, long start, MemorySegment xs,
                                      float[] out, int oo) {
        long rowBytes = n * 2L, odd = oddBase(n), boundary = rowBytes - VB; // the last vector of a row's own aligned pairs
        int split = (int) ((VB - start) / 4);
        VectorMask<Float> ends = F.indexInRange(0, split);
        FloatVector carry = from == 0
                ? products(w, 0, xs, 0, odd).blend(0f, F.indexInRange(0, FL - split).not()) // row 0's first pairs
                : products(w, (from - 1) * rowBytes + start + boundary, xs, start + boundary, odd).blend(0f, ends);
        for (int r = from; r < to; r++) {
            long base = r * rowBytes + start;
            FloatVector even = FloatVector.zero(F), oddAcc = FloatVector.zero(F);
            for (long d = 0; d < boundary; d += VB) {
                IntVector p = IntVector.fromMemorySegment(I, w, base + d, LE);
                even = bf16Even(p).fma(FloatVector.fromMemorySegment(F, xs, start + d, LE), even);
                oddAcc = bf16Odd(p).fma(FloatVector.fromMemorySegment(F, xs, odd + start + d, LE), oddAcc);
            }
            FloatVector sum = even.add(oddAcc).add(carry);
            if (r + 1 < rows) {
                FloatVector last = products(w, base + boundary, xs, start + boundary, odd);
                sum = sum.add(last, ends);
                carry = last.blend(0f, ends);
            } else { // the matrix ends: this row's last pairs from its last whole vector, which straddles
                long at = r * rowBytes + rowBytes - VB;
                sum = sum.add(products(w, at, xs, rowBytes - VB, odd), F.indexInRange(-(FL - split), split));
            }
            out[oo + r] = sum.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Lane by lane, even weight times even activation plus odd times odd, for the BF16 pairs at byte {@code at} of w and byte {@code xe} of the evens. */
    private static FloatVector products(MemorySegment w, long at, MemorySegment xs, long xe, long odd) {
        IntVector p = IntVector.fromMemorySegment(I, w, at, LE);
        return bf16Even(p).mul(FloatVector.fromMemorySegment(F, xs, xe, LE)).add(bf16Odd(p).mul(FloatVector.fromMemorySegment(F, xs, odd + xe, LE)));
    }

    private static FloatVector widenEven(IntVector pairs, boolean bf16) {
        return bf16 ? bf16Even(pairs) : f16ToF32(pairs.and(0xFFFF));
    }

    private static FloatVector widenOdd(IntVector pairs, boolean bf16) {
        return bf16 ? bf16Odd(pairs) : f16ToF32(pairs.lanewise(VectorOperators.LSHR, 16));
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
        return acc.reduceLanes(VectorOperators.ADD) + elements(w, bf16, n, o, 0, pairBytes, xs);
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

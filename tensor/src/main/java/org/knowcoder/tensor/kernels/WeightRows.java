package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.knowcoder.parallel.WorkerPool;
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
 * Row-level access to weight matrices in every weight dtype: dot products of rows with an
 * activation vector (decoding, memory-bound) and widening one row to floats (prefill, embedding).
 *
 * <p>The dot products read the activation from an off-heap copy laid out for the weight dtype by
 * {@link #prepare}, and walk both with long byte offsets: streaming loops over native segments
 * compile to tighter code than mixed array/segment loops (MatVecBenchmark; numbers in bench/README.md).
 */
public final class WeightRows {
    private WeightRows() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Bytes of one float vector. */
    private static final long VB = 4L * FL;
    /**
     * Per thread, where the 8-row F32 kernels leave their accumulators, two blocks' worth, to be
     * summed by their caller ({@link Simd#sum8}). Summed in the kernel, the fixed-order sums took C2
     * past its inlining node limit, and the vectors of the steps it left out were allocated (15%
     * slower than the reduceLanes they replace). Read back at once, a stored vector waits for the
     * store (no store-to-load forwarding: 13% slower on a 768 x 768 matrix, one thread, in cache),
     * so a block is summed after the next block's products, from the other half.
     */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[16 * FL]);

    /** Bytes an activation buffer for {@link #prepare} needs for inputs of up to {@code maxCols} columns, in any dtype. */
    public static long activationBytes(int maxCols) {
        return Math.max(4L * Math.max(maxCols, HalfRows.activationFloats(maxCols)), Q4Rows.activationBytes(maxCols));
    }

    /**
     * Where in a 64-byte aligned buffer the activation for {@code w} should start (bytes, a
     * multiple of 4, below 64), so that its loads are aligned where the weights' are (see
     * {@link HalfRows}); zero for most weights.
     */
    public static long activationShift(Tensor w) {
        return w.dtype() == DType.BF16 || w.dtype() == DType.F16 ? HalfRows.activationShift(w) : 0;
    }

    /**
     * Copies x[xo .. xo+cols) into {@code xs} (off-heap, {@link #activationBytes} long) in the order
     * {@link #dot} reads it for {@code w}'s dtype:
     * <ul>
     *   <li>F32 and general Q8_0: as is;</li>
     *   <li>F16/BF16: even elements first, then the odd ones, because the weights are read as ints
     *       holding the pair (w[2j], w[2j+1]) and both halves are widened with a shift or a mask
     *       ({@link HalfRows#activationFloats} has the details);</li>
     *   <li>Q8_0 whose groups are whole chunks of 4 vectors: per chunk, four planes where plane p,
     *       lane l holds x[chunk + 4l + p], because the weights are read as ints holding four int8s
     *       and widened with shifts, which is cheaper than byte-to-float conversion.</li>
     * </ul>
     */
    public static void prepare(Tensor w, float[] x, int xo, MemorySegment xs) {
        int n = w.cols();
        if (w.dtype() == DType.BF16 || w.dtype() == DType.F16) {
            HalfRows.prepare(w, x, xo, xs);
        } else if (w.dtype().isQ4()) {
            Q4Rows.prepare(w, x, xo, xs);
        } else if (usesPlanes(w)) {
            for (int c = 0; c < n; c += 4 * FL) {
                for (int l = 0; l < FL; l++) {
                    for (int p = 0; p < 4; p++) xs.setAtIndex(Tensor.F32_LE, c + p * FL + l, x[xo + c + 4 * l + p]);
                }
            }
        } else {
            MemorySegment.copy(x, xo, xs, Tensor.F32_LE, 0, n);
        }
    }

    /**
     * Rows of {@code w} that {@link MatVec} hands to one call of {@link #dot} together: four (the F32
     * kernel's unit); for 4-bit weights, two of their groups, which the kernel reads side by side, so
     * that no chunk leaves a group to go alone (see {@link #chunksPerThread}).
     */
    static int rowsPerBlock(Tensor w) {
        return w.dtype().isQ4() ? 2 * Q4.GROUP : 4;
    }

    /**
     * Chunks per thread of a {@link MatVec} job over {@code w}: for 4-bit weights two, not the
     * pool's {@value WorkerPool#CHUNKS_PER_THREAD}: a job is tens of microseconds, and a chunk's
     * call and kernel setup cost more than the finer balance gains (bench/README.md, "Why the kernels
     * are written as they are").
     */
    static int chunksPerThread(Tensor w) {
        return w.dtype().isQ4() ? 2 : WorkerPool.CHUNKS_PER_THREAD;
    }

    /** Whether {@link #prepare} lays out one input alike for {@code a} and {@code b}, two weights of one width. */
    static boolean preparesAlike(Tensor a, Tensor b) {
        return a.dtype() == b.dtype() && activationShift(a) == activationShift(b) && usesPlanes(a) == usesPlanes(b)
                && HalfRows.streamsF16(a) == HalfRows.streamsF16(b);
    }

    private static boolean usesPlanes(Tensor w) {
        return w.dtype() == DType.Q8_0 && w.groupSize() % (4 * FL) == 0 && w.cols() % w.groupSize() == 0;
    }

    /**
     * out[oo + r] = row r of {@code w} dotted with the activation {@link #prepare}d in {@code xs},
     * for rows [from, to). F32 rows stream eight side by side sharing each activation load (four at
     * the end of a range): independent memory streams keep more loads in flight than one, and eight
     * reach the machine's plain read bandwidth (MatVecBenchmark; bench/README.md). BF16 and F16
     * rows stream four side by side ({@code HalfRows}, whose vector operations are written out). The
     * other dtypes take one or two rows per step: their widening through our own small methods makes
     * a kernel of more rows too big for C2 to inline them (the Q8_0 planes kernel of two rows already
     * was, and so was {@link #dotQ8Stream} with a loop over each group's vectors instead of its fixed
     * two), and a vector operation that is not inlined allocates (several times slower).
     */
    public static void dot(Tensor w, int from, int to, MemorySegment xs, float[] out, int oo) {
        MemorySegment data = w.data();
        int n = w.cols();
        switch (w.dtype()) {
            case F32 -> {
                int r8 = from;
                float[] acc = ACCUMULATORS.get();
                // each block's sums are taken after the next block's products (see ACCUMULATORS)
                for (; r8 + 8 <= to; r8 += 8) {
                    dotF32x8(data, n, r8, xs, acc, slot(from, r8));
                    if (r8 > from) finishF32x8(data, n, xs, acc, slot(from, r8 - 8), r8 - 8, out, oo);
                }
                if (r8 > from) finishF32x8(data, n, xs, acc, slot(from, r8 - 8), r8 - 8, out, oo);
                for (int r = r8; r < to; r += 4) {
                    int last = Math.min(r + 3, to - 1); // a short block repeats its last row
                    dotF32(data, n, r, Math.min(r + 1, last), Math.min(r + 2, last), last, xs, out, oo + r, last - r + 1);
                }
            }
            case BF16, F16 -> HalfRows.dot(w, from, to, xs, out, oo);
            case Q8_0 -> {
                if (streamsQ8(w)) {
                    dotQ8Stream(w, n, from, to, xs, out, oo);
                    return;
                }
                boolean planes = usesPlanes(w);
                for (int r = from; r < to; r++) out[oo + r] = planes ? dotQ8Planes(w, n, r, xs) : dotQ8(w, n, r, xs);
            }
            case Q4_0, Q4_K -> Q4Rows.dot(w, from, to, xs, out, oo);
        }
    }

    /**
     * Rows r0 .. r0+7 dotted with xs, their vector accumulators into acc[at .. at + 8 FL) for
     * {@link Simd#sum8}: eight weight streams, one activation load per step.
     */
    private static void dotF32x8(MemorySegment w, int n, long r0, MemorySegment xs, float[] acc, int at) {
        long row = n * 4L, o = r0 * row;
        long end = (long) (n - n % FL) * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        for (long d = 0; d < end; d += VB) {
            FloatVector v = FloatVector.fromMemorySegment(F, xs, d, LE);
            long p = o + d;
            a0 = FloatVector.fromMemorySegment(F, w, p, LE).fma(v, a0);
            a1 = FloatVector.fromMemorySegment(F, w, p + row, LE).fma(v, a1);
            a2 = FloatVector.fromMemorySegment(F, w, p + 2 * row, LE).fma(v, a2);
            a3 = FloatVector.fromMemorySegment(F, w, p + 3 * row, LE).fma(v, a3);
            a4 = FloatVector.fromMemorySegment(F, w, p + 4 * row, LE).fma(v, a4);
            a5 = FloatVector.fromMemorySegment(F, w, p + 5 * row, LE).fma(v, a5);
            a6 = FloatVector.fromMemorySegment(F, w, p + 6 * row, LE).fma(v, a6);
            a7 = FloatVector.fromMemorySegment(F, w, p + 7 * row, LE).fma(v, a7);
        }
        a0.intoArray(acc, at); a1.intoArray(acc, at + FL); a2.intoArray(acc, at + 2 * FL); a3.intoArray(acc, at + 3 * FL);
        a4.intoArray(acc, at + 4 * FL); a5.intoArray(acc, at + 5 * FL); a6.intoArray(acc, at + 6 * FL); a7.intoArray(acc, at + 7 * FL);
    }

    /**
     * F32 rows held in a float[] (see {@link Tensor#ofFloatArray}): out[oo + r] = row r of the
     * n-column matrix starting at w[base], dotted with x[0 .. n), for rows [from, to). The same
     * arithmetic in the same order as {@link #dot} on native memory, so the results are identical;
     * it is faster because C2 compiles array loads with fewer checks in the loop, and the heap can
     * sit on transparent huge pages (MatVecBenchmark dtype F32_HEAP against F32; bench/README.md).
     */
    public static void dotF32Heap(float[] w, int base, int n, int from, int to, float[] x, float[] out, int oo) {
        int r = from;
        float[] acc = ACCUMULATORS.get();
        for (; r + 8 <= to; r += 8) {
            dotF32Heap8(w, base + r * n, n, x, acc, slot(from, r));
            if (r > from) finishHeap8(w, base, n, x, acc, slot(from, r - 8), r - 8, out, oo);
        }
        if (r > from) finishHeap8(w, base, n, x, acc, slot(from, r - 8), r - 8, out, oo);
        for (; r < to; r++) {
            int o = base + r * n, end = n - n % FL;
            FloatVector a = FloatVector.zero(F);
            for (int j = 0; j < end; j += FL) a = FloatVector.fromArray(F, w, o + j).fma(FloatVector.fromArray(F, x, j), a);
            float s = Simd.sum(a);
            for (int j = end; j < n; j++) s += w[o + j] * x[j];
            out[oo + r] = s;
        }
    }

    /** Where in {@link #ACCUMULATORS} the 8-row block starting at row r of a range from row {@code from} goes: the halves alternate. */
    private static int slot(int from, int r) {
        return (r - from) / 8 % 2 * 8 * FL;
    }

    /** out[oo + r ..] for the 8 rows from r: the sums of their accumulators at acc[at ..], then the columns past the last vector. */
    private static void finishF32x8(MemorySegment w, int n, MemorySegment xs, float[] acc, int at, int r, float[] out, int oo) {
        Simd.sum8(acc, at, out, oo + r);
        long row = n * 4L, o = r * row;
        for (long d = (long) (n - n % FL) * 4; d < row; d += 4) {
            float v = xs.get(Tensor.F32_LE, d);
            for (int k = 0; k < 8; k++) out[oo + r + k] += w.get(Tensor.F32_LE, o + k * row + d) * v;
        }
    }

    /** finishF32x8 for {@link #dotF32Heap}. */
    private static void finishHeap8(float[] w, int base, int n, float[] x, float[] acc, int at, int r, float[] out, int oo) {
        Simd.sum8(acc, at, out, oo + r);
        int o = base + r * n;
        for (int j = n - n % FL; j < n; j++) {
            for (int k = 0; k < 8; k++) out[oo + r + k] += w[o + k * n + j] * x[j];
        }
    }

    /** The vector accumulators of rows o / n .. o / n + 7 of {@link #dotF32Heap} into acc[at .. at + 8 FL), for {@link Simd#sum8}. */
    private static void dotF32Heap8(float[] w, int o, int n, float[] x, float[] acc, int at) {
        int end = n - n % FL;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        for (int j = 0; j < end; j += FL) {
            FloatVector v = FloatVector.fromArray(F, x, j);
            int p = o + j;
            a0 = FloatVector.fromArray(F, w, p).fma(v, a0);
            a1 = FloatVector.fromArray(F, w, p + n).fma(v, a1);
            a2 = FloatVector.fromArray(F, w, p + 2 * n).fma(v, a2);
            a3 = FloatVector.fromArray(F, w, p + 3 * n).fma(v, a3);
            a4 = FloatVector.fromArray(F, w, p + 4 * n).fma(v, a4);
            a5 = FloatVector.fromArray(F, w, p + 5 * n).fma(v, a5);
            a6 = FloatVector.fromArray(F, w, p + 6 * n).fma(v, a6);
            a7 = FloatVector.fromArray(F, w, p + 7 * n).fma(v, a7);
        }
        a0.intoArray(acc, at); a1.intoArray(acc, at + FL); a2.intoArray(acc, at + 2 * FL); a3.intoArray(acc, at + 3 * FL);
        a4.intoArray(acc, at + 4 * FL); a5.intoArray(acc, at + 5 * FL); a6.intoArray(acc, at + 6 * FL); a7.intoArray(acc, at + 7 * FL);
    }

    private static void dotF32(MemorySegment w, int n, long r0, long r1, long r2, long r3,
                               MemorySegment xs, float[] out, int oo, int count) {
        long o0 = r0 * n * 4L, o1 = r1 * n * 4L, o2 = r2 * n * 4L, o3 = r3 * n * 4L;
        long end = (long) (n - n % FL) * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (long d = 0; d < end; d += VB) {
            FloatVector v = FloatVector.fromMemorySegment(F, xs, d, LE);
            a0 = FloatVector.fromMemorySegment(F, w, o0 + d, LE).fma(v, a0);
            a1 = FloatVector.fromMemorySegment(F, w, o1 + d, LE).fma(v, a1);
            a2 = FloatVector.fromMemorySegment(F, w, o2 + d, LE).fma(v, a2);
            a3 = FloatVector.fromMemorySegment(F, w, o3 + d, LE).fma(v, a3);
        }
        FloatVector sums = Simd.sum4(a0, a1, a2, a3);
        float s0 = sums.lane(0), s1 = sums.lane(FL / 4), s2 = sums.lane(FL / 2), s3 = sums.lane(3 * FL / 4);
        for (long d = end; d < n * 4L; d += 4) {
            float v = xs.get(Tensor.F32_LE, d);
            s0 += w.get(Tensor.F32_LE, o0 + d) * v;
            s1 += w.get(Tensor.F32_LE, o1 + d) * v;
            s2 += w.get(Tensor.F32_LE, o2 + d) * v;
            s3 += w.get(Tensor.F32_LE, o3 + d) * v;
        }
        store(out, oo, count, s0, s1, s2, s3);
    }

    /**
     * Q8_0 fast path: each int lane holds four int8 weights, sign-extended with shifts and matched
     * with the activation planes of {@link #prepare}. The products of each chunk of 4 vectors (a
     * whole group with 64-weight groups and 16 float lanes) are summed, then scaled by their group's
     * scale. One flat loop over the chunks rather than a loop over groups around one over their
     * chunks: C2 keeps fewer checks in it (against the nested loops, {@code MatVecAB}, 2 threads,
     * 256 MB of weights: +12 to +14% for 2048 x 768 matrices, +20% for the 32000 x 768 classifier).
     */
    private static float dotQ8Planes(Tensor w, int n, long row, MemorySegment xs) {
        int gs = w.groupSize();
        MemorySegment q = w.data(), scales = w.scales();
        boolean halfScales = w.halfScales();
        long base = row * n;
        FloatVector acc = FloatVector.zero(F);
        for (long c = 0; c < n; c += 4 * FL) {
            long xo = c * 4;
            IntVector quad = IntVector.fromMemorySegment(I, q, base + c, LE);
            FloatVector even = int8(quad.lanewise(VectorOperators.LSHL, 24)).mul(FloatVector.fromMemorySegment(F, xs, xo, LE));
            FloatVector odd = int8(quad.lanewise(VectorOperators.LSHL, 16)).mul(FloatVector.fromMemorySegment(F, xs, xo + VB, LE));
            even = int8(quad.lanewise(VectorOperators.LSHL, 8)).fma(FloatVector.fromMemorySegment(F, xs, xo + 2 * VB, LE), even);
            odd = int8(quad).fma(FloatVector.fromMemorySegment(F, xs, xo + 3 * VB, LE), odd);
            acc = even.add(odd).fma(scale(scales, halfScales, base + c, gs), acc);
        }
        return Simd.sum(acc);
    }

    /**
     * The top byte of each lane, sign-extended, as a float. Converted with the 1.5 * 2^23 trick
     * (an int added to the bits of 12582912f gives 12582912 + int exactly) rather than an int-to-float
     * conversion, whose much larger compiler graph makes C2 stop inlining in the kernel.
     */
    private static FloatVector int8(IntVector shifted) {
        return shifted.lanewise(VectorOperators.ASHR, 24).add(MAGIC_BITS).reinterpretAsFloats().sub(MAGIC);
    }

    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);

    /** Q8_0 general path: groups of whole vectors widened byte to float; scalar otherwise. */
    private static float dotQ8(Tensor w, int n, long row, MemorySegment xs) {
        int gs = w.groupSize();
        MemorySegment q = w.data(), scales = w.scales();
        boolean halfScales = w.halfScales();
        long base = row * n;
        // the vector loop assumes each row starts a group: not so when groups straddle rows
        if (!Simd.WIDEN_BYTES || gs % FL != 0 || n % gs != 0) {
            float sum = 0;
            for (int i = 0; i < n; i++) sum += w.get(base + i) * xs.getAtIndex(Tensor.F32_LE, i);
            return sum;
        }
        FloatVector acc = FloatVector.zero(F);
        for (long g = 0; g < n; g += gs) {
            FloatVector group = FloatVector.zero(F);
            for (long k = g; k < g + gs; k += FL) group = widen(q, base + k).fma(FloatVector.fromMemorySegment(F, xs, k * 4, LE), group);
            acc = group.fma(scale(scales, halfScales, base + g, gs), acc);
        }
        return Simd.sum(acc);
    }

    /** Q8_0 of groups of two vectors that start each row (GGUF's blocks of 32 on 512-bit vectors): {@link #dotQ8Stream}. */
    private static boolean streamsQ8(Tensor w) {
        return Simd.WIDEN_BYTES && w.groupSize() == 2 * FL && w.cols() % w.groupSize() == 0; // never planes: those groups are 4 vectors or more
    }

    /**
     * Q8_0 rows [from, to) in groups of two vectors, each row summed as {@link #dotQ8} sums it (the
     * same result), two rows per step: the range's first and second half (HalfRows.dotStream reads
     * quarters), sharing the activation loads, and one flat loop over the groups.
     */
    private static void dotQ8Stream(Tensor w, int n, int from, int to, MemorySegment xs, float[] out, int oo) {
        MemorySegment q = w.data(), scales = w.scales();
        boolean halfScales = w.halfScales();
        int half = (to - from + 1) / 2;
        for (int r = from, r2 = from + half; r < from + half; r++, r2++) {
            long base = (long) r * n, base2 = (long) Math.min(r2, to - 1) * n; // an odd count re-reads row to - 1, writes nothing
            FloatVector zero = FloatVector.zero(F), acc = zero, acc2 = zero;
            for (long g = 0; g < n; g += 2 * FL) {
                FloatVector x0 = FloatVector.fromMemorySegment(F, xs, g * 4, LE), x1 = FloatVector.fromMemorySegment(F, xs, g * 4 + VB, LE);
                // from zero as dotQ8 (a product of -0 plus +0 is +0, where a bare product would stay -0)
                FloatVector group = widen(q, base + g + FL).fma(x1, widen(q, base + g).fma(x0, zero));
                FloatVector group2 = widen(q, base2 + g + FL).fma(x1, widen(q, base2 + g).fma(x0, zero));
                acc = group.fma(scale(scales, halfScales, base + g, 2 * FL), acc);
                acc2 = group2.fma(scale(scales, halfScales, base2 + g, 2 * FL), acc2);
            }
            out[oo + r] = Simd.sum(acc);
            if (r2 < to) out[oo + r2] = Simd.sum(acc2);
        }
    }

    /**
     * The scale of value {@code index}'s group, F16 ({@code half}, as GGUF's) or F32 (llama2.c's):
     * {@link Tensor#scale} from the kernel's own locals, so that its loop holds no call to inline.
     */
    private static FloatVector scale(MemorySegment scales, boolean half, long index, int gs) {
        long g = index / gs;
        return FloatVector.broadcast(F, half ? Float.float16ToFloat(scales.get(Tensor.I16_LE, g * 2)) : scales.get(Tensor.F32_LE, g * 4));
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

    /** Whether {@link MatMul} widens {@code w} a column of rows at a time ({@link #decodeColumns}): 4-bit weights, whose groups hold a column's rows together. */
    static boolean widensColumns(Tensor w) {
        return w.dtype().isQ4();
    }

    /**
     * Rows [r0, r0 + count) of a 4-bit tensor (count at most 16) widened into dst[0 .. 16 cols)
     * column by column: dst[16 i + r] is value i of row r0 + r, zero for r from count on.
     */
    static void decodeColumns(Tensor w, long r0, int count, float[] dst) {
        Q4Rows.decodeColumns(w, r0, count, dst);
    }

    /**
     * Widens row {@code row} of {@code w} into dst[off .. off+cols), for hot loops (prefill): Q8_0
     * and BF16 rows are widened a vector at a time; 4-bit ones go through {@link #lookup} (a grouped
     * row's values lie 64 bytes apart; their prefill goes through {@link #decodeColumns}).
     */
    public static void decode(Tensor w, long row, float[] dst, int off) {
        int n = w.cols(), gs = w.groupSize();
        if (w.dtype() == DType.BF16) {
            // MatMul widens each block of rows once for all the prompt's tokens, but a prefill of a
            // short suffix (serve, prefix reuse) has few tokens, and element by element the widening
            // cost as much as the products. F16 stays in lookup's loop: C2 vectorizes
            // Float.float16ToFloat there itself, faster than f16ToF32 (MatMulBenchmark, bench/README.md).
            long base = row * n * 2L;
            int i = 0;
            for (; i + FL <= n; i += FL) HalfRows.widenBf16(w.data(), base + 2L * i).intoArray(dst, off + i);
            for (; i < n; i++) dst[off + i] = HalfRows.widen(w.data().get(Tensor.I16_LE, base + 2L * i), true);
            return;
        }
        if (w.dtype() != DType.Q8_0 || !Simd.WIDEN_BYTES || gs % FL != 0 || n % gs != 0) {
            lookup(w, row, dst, off);
            return;
        }
        long base = row * n;
        MemorySegment q = w.data(), scales = w.scales();
        boolean halfScales = w.halfScales();
        for (int i = 0; i < n; i += FL) widen(q, base + i).mul(scale(scales, halfScales, base + i, gs)).intoArray(dst, off + i);
    }

    /**
     * Widens row {@code row} of {@code w} into dst[off .. off+cols) without the Vector API, for
     * rare single-row reads such as the embedding lookup of each decoded token: code that runs that
     * seldom stays in C1, where every Vector API operation allocates.
     */
    public static void lookup(Tensor w, long row, float[] dst, int off) {
        int n = w.cols();
        MemorySegment seg = w.data();
        switch (w.dtype()) {
            case F32 -> MemorySegment.copy(seg, Tensor.F32_LE, row * n * 4L, dst, off, n);
            case BF16, F16 -> {
                boolean bf16 = w.dtype() == DType.BF16;
                long base = row * n * 2L;
                for (int i = 0; i < n; i++) dst[off + i] = HalfRows.widen(seg.get(Tensor.I16_LE, base + i * 2L), bf16);
            }
            case Q8_0 -> {
                long base = row * n;
                int gs = w.groupSize();
                for (int i = 0; i < n; i++) {
                    dst[off + i] = seg.get(ValueLayout.JAVA_BYTE, base + i) * w.scale((base + i) / gs);
                }
            }
            case Q4_0, Q4_K -> {
                for (int i = 0; i < n; i++) dst[off + i] = Q4.value(w, row * n + i);
            }
        }
    }
}

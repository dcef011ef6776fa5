package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.TestTensors;
import org.knowcoder.tensor.TestTensors.Weights;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.tensor.TestTensors.randomFloats;
import static org.knowcoder.testing.Approx.assertDot;

/**
 * The Q4_0 and Q4_K kernels (matrix-vector for decoding, matrix product for prefill, rows widened)
 * against the values each code and scale stands for, computed by {@link TestTensors#randomQ4};
 * decoding against {@link #reference}, the plain form of its integer arithmetic. Heights cover the
 * groups of 64 rows, the rows past them, and odd numbers of groups.
 */
class Q4RowsTest {
    private static final int[] Q4_0_WIDTHS = {32, 64, 96, 160, 768};
    private static final int[] Q4_K_WIDTHS = {256, 512, 768};

    private static int[] widths(DType type) {
        return type == DType.Q4_0 ? Q4_0_WIDTHS : Q4_K_WIDTHS;
    }

    @Test
    void groupsHoldAColumnPairOfTheirRowsIn64Bytes() {
        int n = 512;
        for (int k = 0; k < 64; k++) {
            for (int i = 0; i < n; i++) {
                long at = Q4.nibble(130, n, 64 + k, i); // the second group
                assertEquals(32L * n + 64 * (i / 2) + 2 * (k % 32) + i % 2, at >> 1, "row " + k + ", value " + i);
                assertEquals(k / 32, at & 1);
            }
            assertEquals((n / Q4.BLOCK + 2) * 64 + k, Q4.scaleIndex(130, n, 64 + k, 2));
            // Q4_K: the group's records of super-block 1 (blocks 8..15) follow those of super-block 0
            long records = (2 + 1) * 64L * Q4.RECORD;
            assertEquals(records + 64 * 3 + 2 * (k % 32) + k / 32, Q4.scaleAt(130, n, 64 + k, 11));
            assertEquals(records + 8 * 64 + 64 * 3 + 2 * (k % 32) + k / 32, Q4.minsAt(130, n, 64 + k, 11));
            assertEquals(records + 8 * 64 + 64 * 3 + 2 * (k % 32) + k / 32, Q4.minsAt(130, n, 64 + k, 15), "blocks 3 and 7 share a byte");
            assertEquals(records + 12 * 64 + 2 * k, Q4.dAt(130, n, 64 + k, 11));
            assertEquals(records + 14 * 64 + 2 * k, Q4.dminAt(130, n, 64 + k, 11));
        }
        // rows 128 and 129, past the groups: one after another, two values a byte; Q4_K records row by row
        assertEquals(128L * n / 2 + n / 2 + 5 / 2, Q4.nibble(130, n, 129, 5) >> 1);
        assertEquals(1, Q4.nibble(130, n, 129, 5) & 1);
        assertEquals(129L * (n / Q4.BLOCK) + 1, Q4.scaleIndex(130, n, 129, 1));
        assertEquals((129L * 2 + 1) * Q4.RECORD + 3, Q4.scaleAt(130, n, 129, 11));
        assertEquals((129L * 2 + 1) * Q4.RECORD + 8 + 3, Q4.minsAt(130, n, 129, 15));
        assertEquals((129L * 2 + 1) * Q4.RECORD + 14, Q4.dminAt(130, n, 129, 11));
    }

    @Test
    void q4kScalesAndMinsTakeSixBitsEachAndLeaveTheirNeighbours() {
        int n = 256;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(Q4.scaleBytes(DType.Q4_K, 65L * n));
            for (long r : new long[] {5, 37, 64}) { // rows k and k + 32 side by side; row 64 past the group
                for (int v = 0; v < 64; v++) {
                    for (int b = 0; b < 8; b++) Q4.setScaleAndMin(s, 65, n, r, b, (v + b) % 64, (v + 7 * b) % 64);
                    for (int b = 0; b < 8; b++) {
                        assertEquals((v + b) % 64, Q4.scale(s, 65, n, r, b));
                        assertEquals((v + 7 * b) % 64, Q4.min(s, 65, n, r, b), "row " + r + ", block " + b);
                    }
                }
            }
            assertEquals(63, Q4.scale(s, 65, n, 5, 0), "row 37's writes left row 5's");
            assertEquals((63 + 7) % 64, Q4.min(s, 65, n, 5, 1));
            assertThrows(IllegalArgumentException.class, () -> Q4.setScaleAndMin(s, 65, n, 0, 0, 64, 0));
        }
    }

    @ParameterizedTest(name = "{0}, {1} threads")
    @CsvSource({"Q4_0, 1", "Q4_0, 2", "Q4_K, 1", "Q4_K, 2"})
    void matVecMatchesTheScalarReference(DType type, int threads) {
        try (WorkerPool pool = new WorkerPool(threads); Arena arena = Arena.ofShared()) {
            MatVec matVec = new MatVec(pool, 768);
            Random rnd = new Random(threads * 31 + type.ordinal());
            for (int cols : widths(type)) {
                for (int rows : new int[] {1, 2, 13, 64, 131, 192}) { // 131: groups and rows past them; 192: an odd number of groups
                    Weights w = TestTensors.randomQ4(type, rows, cols, rnd, rows == 2 ? null : arena);
                    assertArrayEquals(w.values(), w.tensor().toFloats(), "Q4.value against the codes' values");
                    float[] x = randomFloats(rnd, 3 + cols);
                    float[] out = new float[rows + 1];
                    matVec.apply(w.tensor(), x, 3, out, 1);
                    for (int r = 0; r < rows; r++) {
                        String what = type + " [" + rows + ", " + cols + "] row " + r;
                        assertEquals(reference(w.tensor(), r, x, 3), out[1 + r], what);
                        assertWithinActivationRounding(w.tensor(), w.values(), r * cols, x, 3, cols, out[1 + r], what);
                    }
                }
            }
        }
    }

    /** Rows of a range that cuts groups go through the scalar code, with the same bits as the kernel's. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K"})
    void rangesThatCutGroupsGiveTheKernelsBits(DType type) {
        try (Arena arena = Arena.ofShared()) {
            Random rnd = new Random(3);
            int rows = 200, cols = 256;
            Weights w = TestTensors.randomQ4(type, rows, cols, rnd, arena);
            float[] x = randomFloats(rnd, cols);
            MemorySegment xs = arena.allocate(WeightRows.activationBytes(cols), 64);
            WeightRows.prepare(w.tensor(), x, 0, xs);
            float[] whole = new float[rows], cut = new float[rows];
            WeightRows.dot(w.tensor(), 0, rows, xs, whole, 0);
            for (int[] range : new int[][] {{0, 5}, {5, 70}, {70, 140}, {140, 200}}) WeightRows.dot(w.tensor(), range[0], range[1], xs, cut, 0);
            assertArrayEquals(whole, cut);
        }
    }

    /**
     * 4-bit decoding as {@code Q4Rows} defines it, plainly: the activations rounded to int8 under
     * dx = max |x| / 127 of each Q4_0 block of 32 or Q4_K super-block of 256; per block, the integer
     * sums of (q - 8) xq and of xq. Q4_0: the first times d dx added to the row's sum with one
     * rounding. Q4_K: per super-block, u = sum sc (first + 8 second) and v = sum m second in
     * integers, then u times d dx and v times -(dmin dx) added so.
     */
    static float reference(Tensor w, int r, float[] x, int xo) {
        int n = w.cols(), span = span(w);
        long rows = w.rows();
        MemorySegment scales = w.scales();
        float sum = 0;
        for (int s = 0; s < n; s += span) {
            float max = 0;
            for (int i = s; i < s + span; i++) max = Math.max(max, Math.abs(x[xo + i]));
            float dx = max / 127, inverse = dx == 0 ? 0 : 1 / dx;
            int u = 0, v = 0;
            for (int b = s / Q4.BLOCK; b < (s + span) / Q4.BLOCK; b++) {
                int dot = 0, xSum = 0;
                for (int i = b * Q4.BLOCK; i < (b + 1) * Q4.BLOCK; i++) {
                    int xq = (int) Math.rint(x[xo + i] * inverse);
                    dot += (Q4.code(w, (long) r * n + i) - 8) * xq;
                    xSum += xq;
                }
                if (w.dtype() == DType.Q4_0) {
                    sum = Math.fma((float) dot, w.scale(Q4.scaleIndex(rows, n, r, b)) * dx, sum);
                } else {
                    u += Q4.scale(scales, rows, n, r, b) * (dot + 8 * xSum);
                    v += Q4.min(scales, rows, n, r, b) * xSum;
                }
            }
            if (w.dtype() == DType.Q4_K) {
                float d = TestTensors.f16Value(scales.get(Tensor.I16_LE, Q4.dAt(rows, n, r, s / Q4.BLOCK)));
                float dmin = TestTensors.f16Value(scales.get(Tensor.I16_LE, Q4.dminAt(rows, n, r, s / Q4.BLOCK)));
                sum = Math.fma((float) u, d * dx, sum);
                sum = Math.fma((float) v, -(dmin * dx), sum);
            }
        }
        return sum;
    }

    /** Activations under one int8 scale: a Q4_0 block, a Q4_K super-block. */
    private static int span(Tensor w) {
        return w.dtype() == DType.Q4_K ? Q4.SUPER : Q4.BLOCK;
    }

    /** |actual - sum w x| within what rounding each activation to its int8 grid (half a step, dx / 2) can move it. */
    private static void assertWithinActivationRounding(Tensor t, float[] w, int wo, float[] x, int xo, int n, float actual, String what) {
        double exact = 0, bound = 1e-6;
        int span = span(t);
        for (int b = 0; b < n; b += span) {
            double max = 0;
            for (int i = b; i < b + span; i++) max = Math.max(max, Math.abs(x[xo + i]));
            for (int i = b; i < b + span; i++) {
                exact += (double) w[wo + i] * x[xo + i];
                bound += Math.abs(w[wo + i]) * (max / 127 / 2 * 1.001);
            }
        }
        assertTrue(Math.abs(actual - exact) <= bound, what + ": " + actual + " against " + exact + ", bound " + bound);
    }

    @ParameterizedTest(name = "{0}, {1} tokens")
    @CsvSource({"Q4_0, 1", "Q4_0, 4", "Q4_0, 9", "Q4_K, 1", "Q4_K, 5"})
    void matMulMatchesTheScalarReference(DType type, int tokens) {
        try (WorkerPool pool = new WorkerPool(2); Arena arena = Arena.ofShared()) {
            MatMul matMul = new MatMul(pool, 768);
            Random rnd = new Random(tokens * 17 + type.ordinal());
            for (int cols : widths(type)) {
                for (int rows : new int[] {3, 8, 131}) { // 131: Q4_0's groups widened a column at a time, then rows past them
                    Weights w = TestTensors.randomQ4(type, rows, cols, rnd, arena);
                    float[] x = randomFloats(rnd, tokens * cols);
                    float[] out = new float[tokens * rows];
                    Arrays.fill(out, Float.NaN);
                    matMul.apply(w.tensor(), x, tokens, out);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < rows; r++) {
                            assertDot(w.values(), r * cols, x, t * cols, cols, out[t * rows + r], type + " [" + rows + ", " + cols + "] token " + t);
                        }
                    }
                }
            }
        }
    }

    /** The vector widening rounds each value once, as the scalar definition does: equal bits. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K"})
    void widenedRowsAreTheScalarValuesExactly(DType type) {
        Random rnd = new Random(5);
        for (int cols : widths(type)) {
            Weights w = TestTensors.randomQ4(type, 3, cols, rnd, null);
            float[] decoded = new float[3 * cols], looked = new float[3 * cols];
            for (int r = 0; r < 3; r++) {
                WeightRows.decode(w.tensor(), r, decoded, r * cols);
                WeightRows.lookup(w.tensor(), r, looked, r * cols);
            }
            assertArrayEquals(w.values(), decoded, type + " decode, rows of " + cols);
            assertArrayEquals(w.values(), looked, type + " lookup, rows of " + cols);
        }
    }

    @Test
    void refusesRowsThatAreNotWholeBlocks() {
        Tensor f32 = Tensor.ofFloats("w", new float[2 * 96], 2, 96);
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> Q4Quantizer.quantize(f32, DType.Q4_K, arena));
            assertThrows(IllegalArgumentException.class, () -> Q4Quantizer.quantize(Tensor.ofFloats("v", new float[40], 1, 40), DType.Q4_0, arena));
        }
    }
}

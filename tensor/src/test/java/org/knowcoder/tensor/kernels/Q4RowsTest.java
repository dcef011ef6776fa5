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
 * against the values each code and scale stands for, computed by {@link TestTensors#randomQ4}; Q4_0
 * decoding against {@link #q40Reference}, the plain form of its integer arithmetic. Widths cover
 * Q4_K's whole chunks of 128 values and its scalar partial chunk of 32, 64 or 96; heights Q4_0's
 * groups of 64 rows, the rows past them, and odd numbers of groups.
 */
class Q4RowsTest {
    private static final int[] Q4_0_WIDTHS = {32, 64, 96, 128, 160, 224, 256, 768};
    private static final int[] Q4_K_WIDTHS = {256, 512, 768};

    private static int[] widths(DType type) {
        return type == DType.Q4_0 ? Q4_0_WIDTHS : Q4_K_WIDTHS;
    }

    @Test
    void q40GroupsHoldAColumnPairOfTheirRowsIn64Bytes() {
        int n = 96;
        for (int k = 0; k < 64; k++) {
            for (int i = 0; i < n; i++) {
                long at = Q4.nibble(DType.Q4_0, 130, n, 64 + k, i); // the second group
                assertEquals(32L * n + 64 * (i / 2) + 2 * (k % 32) + i % 2, at >> 1, "row " + k + ", value " + i);
                assertEquals(k / 32, at & 1);
            }
            assertEquals((n / Q4.BLOCK + 2) * 64 + k, Q4.scaleIndex(130, n, 64 + k, 2));
        }
        // rows 128 and 129, past the groups: one after another, two values a byte
        assertEquals(128L * n / 2 + n / 2 + 5 / 2, Q4.nibble(DType.Q4_0, 130, n, 129, 5) >> 1);
        assertEquals(1, Q4.nibble(DType.Q4_0, 130, n, 129, 5) & 1);
        assertEquals(129L * (n / Q4.BLOCK) + 1, Q4.scaleIndex(130, n, 129, 1));
    }

    @Test
    void valuesOfAWholeQ4KChunkAreNibblePositionsOfSixteenInts() {
        for (int p = 0; p < 8; p++) {
            for (int lane = 0; lane < 16; lane++) {
                assertEquals(4 * lane + p / 2, Q4.byteOf(128, 16 * p + lane));
                assertEquals(4 * (p % 2), Q4.shiftOf(128, 16 * p + lane));
            }
        }
        // a row of 160: one whole chunk, then a partial one of 32 values in 4 ints (value k: int k % 4, nibble k / 4)
        assertEquals(64 + 4 * 3 + 1, Q4.byteOf(160, 128 + 4 * 2 + 3));
        assertEquals(0, Q4.shiftOf(160, 128 + 4 * 2 + 3));
        assertEquals(4, Q4.shiftOf(160, 128 + 4 * 3 + 3));
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
                        if (type == DType.Q4_0) {
                            assertEquals(q40Reference(w.tensor(), r, x, 3), out[1 + r], what);
                            assertWithinActivationRounding(w.values(), r * cols, x, 3, cols, out[1 + r], what);
                        } else {
                            assertDot(w.values(), r * cols, x, 3, cols, out[1 + r], what);
                        }
                    }
                }
            }
        }
    }

    /** Rows of a range that cuts groups go through the scalar code, with the same bits as the kernel's. */
    @Test
    void q40RangesThatCutGroupsGiveTheKernelsBits() {
        try (Arena arena = Arena.ofShared()) {
            Random rnd = new Random(3);
            int rows = 200, cols = 96;
            Weights w = TestTensors.randomQ4(DType.Q4_0, rows, cols, rnd, arena);
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
     * Q4_0 decoding as {@code Q4Rows} defines it, plainly: each block of 32 activations rounded to
     * int8 under dx = max |x| / 127, the block's integer sum of (q - 8) xq times d * dx added to the
     * row's sum with one rounding.
     */
    static float q40Reference(Tensor w, int r, float[] x, int xo) {
        int n = w.cols();
        float sum = 0;
        for (int b = 0; b < n / Q4.BLOCK; b++) {
            float max = 0;
            for (int i = b * Q4.BLOCK; i < (b + 1) * Q4.BLOCK; i++) max = Math.max(max, Math.abs(x[xo + i]));
            float dx = max / 127, inverse = dx == 0 ? 0 : 1 / dx;
            int dot = 0;
            for (int i = b * Q4.BLOCK; i < (b + 1) * Q4.BLOCK; i++) dot += (Q4.code(w, (long) r * n + i) - 8) * (int) Math.rint(x[xo + i] * inverse);
            sum = Math.fma((float) dot, w.scale(Q4.scaleIndex(w.rows(), n, r, b)) * dx, sum);
        }
        return sum;
    }

    /** |actual - sum w x| within what rounding each activation to its block's int8 grid (half a step, dx / 2) can move it. */
    private static void assertWithinActivationRounding(float[] w, int wo, float[] x, int xo, int n, float actual, String what) {
        double exact = 0, bound = 1e-6;
        for (int b = 0; b < n; b += Q4.BLOCK) {
            double max = 0;
            for (int i = b; i < b + Q4.BLOCK; i++) max = Math.max(max, Math.abs(x[xo + i]));
            for (int i = b; i < b + Q4.BLOCK; i++) {
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

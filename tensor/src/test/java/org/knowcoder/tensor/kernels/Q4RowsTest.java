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
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.tensor.TestTensors.randomFloats;
import static org.knowcoder.testing.Approx.assertDot;

/**
 * The Q4_0 and Q4_K kernels (matrix-vector for decoding, matrix product for prefill, rows widened)
 * against the values each code and scale stands for, computed by {@link TestTensors#randomQ4}.
 * Widths cover whole chunks of 128 values and the scalar partial chunk of 32, 64 or 96.
 */
class Q4RowsTest {
    private static final int[] Q4_0_WIDTHS = {32, 64, 96, 128, 160, 224, 256, 768};
    private static final int[] Q4_K_WIDTHS = {256, 512, 768};

    private static int[] widths(DType type) {
        return type == DType.Q4_0 ? Q4_0_WIDTHS : Q4_K_WIDTHS;
    }

    @Test
    void valuesOfAWholeChunkAreNibblePositionsOfSixteenInts() {
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
                for (int rows : new int[] {1, 2, 13, 131}) { // 131: more than one kernel call's 64 rows per thread
                    Weights w = TestTensors.randomQ4(type, rows, cols, rnd, rows == 2 ? null : arena);
                    assertArrayEquals(w.values(), w.tensor().toFloats(), "Q4.value against the codes' values");
                    float[] x = randomFloats(rnd, 3 + cols);
                    float[] out = new float[rows + 1];
                    matVec.apply(w.tensor(), x, 3, out, 1);
                    for (int r = 0; r < rows; r++) {
                        assertDot(w.values(), r * cols, x, 3, cols, out[1 + r], type + " [" + rows + ", " + cols + "] row " + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}, {1} tokens")
    @CsvSource({"Q4_0, 1", "Q4_0, 4", "Q4_0, 9", "Q4_K, 1", "Q4_K, 5"})
    void matMulMatchesTheScalarReference(DType type, int tokens) {
        try (WorkerPool pool = new WorkerPool(2); Arena arena = Arena.ofShared()) {
            MatMul matMul = new MatMul(pool, 768);
            Random rnd = new Random(tokens * 17 + type.ordinal());
            for (int cols : widths(type)) {
                for (int rows : new int[] {3, 8}) {
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

package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.TestTensors.Weights;
import org.knowcoder.tensor.TestTensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.testing.Approx.assertDot;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/** Batched W x over token counts around the 32-token panel (and enough panels for the workers to lay them out) and row counts around the 8-row block. */
class MatMulTest {
    private static final int[] ROWS = {1, 3, 8, 9, 17};
    private static final int[] COLS = {1, 7, 16, 17, 33, 64, 100};

    static Stream<Arguments> dtypesThreadsAndTokens() {
        return TestTensors.anyWidthTypes().flatMap(d -> IntStream.of(1, 2).boxed().flatMap(
                threads -> IntStream.of(1, 3, 16, 17, 32, 33, 70, 300).mapToObj(tokens -> Arguments.of(d, threads, tokens))));
    }

    @ParameterizedTest(name = "{0}, {1} threads, {2} tokens")
    @MethodSource("dtypesThreadsAndTokens")
    void matchesScalarReference(DType dtype, int threads, int tokens) {
        try (WorkerPool pool = new WorkerPool(threads); Arena arena = Arena.ofShared()) {
            MatMul matMul = new MatMul(pool, 100);
            Random rnd = new Random(tokens * 100 + threads * 10 + dtype.ordinal());
            for (int rows : ROWS) {
                for (int cols : COLS) {
                    // heap and off-heap weights alike: odd widths on the heap, even ones in the arena
                    Weights w = TestTensors.random(dtype, rows, cols, rnd, cols % 2 == 0 ? arena : null);
                    float[] x = randomFloats(rnd, tokens * cols);
                    float[] out = new float[tokens * rows];
                    Arrays.fill(out, Float.NaN); // every output must be written
                    matMul.apply(w.tensor(), x, tokens, out);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < rows; r++) {
                            assertDot(w.values(), r * cols, x, t * cols, cols, out[t * rows + r],
                                    "[" + rows + ", " + cols + "] token " + t + " row " + r);
                        }
                    }
                }
            }
        }
    }

    /**
     * The determinism the kernel promises: each output is one FMA chain over the columns in order,
     * from zero, bit for bit, whichever panel, lane, block or thread it fell in.
     */
    @ParameterizedTest(name = "{0}, {1} threads, {2} tokens")
    @MethodSource("dtypesThreadsAndTokens")
    void eachOutputIsOneFmaChainInColumnOrder(DType dtype, int threads, int tokens) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            int rows = 17, cols = 33;
            Weights w = TestTensors.random(dtype, rows, cols, new Random(tokens + 7L * threads), null);
            float[] x = randomFloats(new Random(tokens), tokens * cols);
            float[] out = new float[tokens * rows];
            new MatMul(pool, cols).apply(w.tensor(), x, tokens, out);
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                WeightRows.lookup(w.tensor(), r, row, 0);
                for (int t = 0; t < tokens; t++) {
                    float chain = 0f;
                    for (int i = 0; i < cols; i++) chain = Math.fma(row[i], x[t * cols + i], chain);
                    assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(out[t * rows + r]), "token " + t + " row " + r);
                }
            }
        }
    }

    /** Matrices of one input in one job (a layer's q, k and v): each product's bits as alone. */
    @ParameterizedTest(name = "{0}, {1} threads, {2} tokens")
    @MethodSource("dtypesThreadsAndTokens")
    void aGroupGetsTheBitsOfEachProductAlone(DType dtype, int threads, int tokens) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            int cols = 33;
            Random rnd = new Random(tokens * 31L + threads);
            int[] rows = {17, 8, 3};
            Tensor[] group = new org.knowcoder.tensor.Tensor[rows.length];
            float[][] outs = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                group[i] = TestTensors.random(dtype, rows[i], cols, rnd, null).tensor();
                outs[i] = new float[tokens * rows[i]];
                Arrays.fill(outs[i], Float.NaN);
            }
            float[] x = randomFloats(rnd, tokens * cols);
            MatMul matMul = new MatMul(pool, cols);
            matMul.apply(group, x, tokens, outs);
            for (int i = 0; i < rows.length; i++) {
                float[] alone = new float[tokens * rows[i]];
                matMul.apply(group[i], x, tokens, alone);
                assertArrayEquals(alone, outs[i], "matrix " + i);
            }
            Weights narrower = TestTensors.random(dtype, 2, cols - 1, rnd, null);
            assertThrows(IllegalArgumentException.class, () -> matMul.apply(new Tensor[] {group[0], narrower.tensor()}, x, tokens, outs));
        }
    }

    @Test
    void rejectsAWeightWiderThanItsScratch() {
        try (WorkerPool pool = new WorkerPool(2)) {
            Weights w = TestTensors.random(DType.F32, 4, 33, new Random(1), null);
            assertThrows(IllegalArgumentException.class, () -> new MatMul(pool, 32).apply(w.tensor(), new float[33], 1, new float[4]));
        }
    }
}

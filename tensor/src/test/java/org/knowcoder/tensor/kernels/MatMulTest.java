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
import org.knowcoder.tensor.TestTensors.Weights;
import org.knowcoder.tensor.TestTensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.testing.Approx.assertDot;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/** Batched W x over token counts around the 4-token tile and row counts around the 4-row tile. */
class MatMulTest {
    private static final int[] ROWS = {1, 3, 4, 7, 13};
    private static final int[] COLS = {1, 7, 16, 17, 33, 64, 100};

    static Stream<Arguments> dtypesThreadsAndTokens() {
        return TestTensors.anyWidthTypes().flatMap(d -> IntStream.of(1, 2).boxed().flatMap(
                threads -> IntStream.of(1, 3, 4, 5, 9).mapToObj(tokens -> Arguments.of(d, threads, tokens))));
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

    @Test
    void rejectsAWeightWiderThanItsScratch() {
        try (WorkerPool pool = new WorkerPool(2)) {
            Weights w = TestTensors.random(DType.F32, 4, 33, new Random(1), null);
            assertThrows(IllegalArgumentException.class, () -> new MatMul(pool, 32).apply(w.tensor(), new float[33], 1, new float[4]));
        }
    }
}

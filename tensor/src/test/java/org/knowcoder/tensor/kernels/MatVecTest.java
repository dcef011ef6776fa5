package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.TestTensors;
import org.knowcoder.tensor.TestTensors.Weights;
import org.knowcoder.tensor.WorkerPool;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.tensor.Approx.assertDot;
import static org.knowcoder.tensor.TestTensors.randomFloats;
import static org.knowcoder.tensor.kernels.VectorMathTest.assertOutsideUnchanged;

class MatVecTest {
    private static final int XO = 3, OO = 2;

    static Stream<Arguments> dtypesThreadsAndStorage() {
        return Arrays.stream(DType.values()).flatMap(d -> Stream.of(
                Arguments.of(d, 1, false), Arguments.of(d, 2, false), Arguments.of(d, 1, true), Arguments.of(d, 2, true)));
    }

    @ParameterizedTest(name = "{0}, {1} threads, off-heap {2}")
    @MethodSource("dtypesThreadsAndStorage")
    void matchesScalarReference(DType dtype, int threads, boolean offHeap) {
        int maxCols = TestTensors.SIZES[TestTensors.SIZES.length - 1];
        try (WorkerPool pool = new WorkerPool(threads); Arena arena = Arena.ofShared()) {
            MatVec matVec = new MatVec(pool, maxCols); // one instance reused for every shape, as a session does
            Random rnd = new Random(threads * 7 + dtype.ordinal());
            for (int cols : TestTensors.SIZES) {
                for (int rows : new int[] {1, 2, 13}) {
                    Weights w = TestTensors.random(dtype, rows, cols, rnd, offHeap ? arena : null);
                    float[] x = randomFloats(rnd, XO + cols + 2);
                    float[] out = randomFloats(rnd, OO + rows + 2);
                    float[] before = out.clone();
                    matVec.apply(w.tensor(), x, XO, out, OO);
                    for (int r = 0; r < rows; r++) {
                        assertDot(w.values(), r * cols, x, XO, cols, out[OO + r], "[" + rows + ", " + cols + "] row " + r);
                    }
                    assertOutsideUnchanged(before, out, OO, rows);
                }
            }
        }
    }

    @Test
    void rejectsAWeightWiderThanItsScratch() {
        try (WorkerPool pool = new WorkerPool(1)) {
            Weights w = TestTensors.random(DType.BF16, 2, 17, new Random(1), null);
            assertThrows(IllegalArgumentException.class, () -> new MatVec(pool, 16).apply(w.tensor(), new float[17], 0, new float[2], 0));
        }
    }
}

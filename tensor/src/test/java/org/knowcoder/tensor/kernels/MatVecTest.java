package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.TestTensors.Weights;
import org.knowcoder.tensor.TestTensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.testing.Approx.assertDot;
import static org.knowcoder.tensor.TestTensors.randomFloats;
import static org.knowcoder.tensor.kernels.VectorMathTest.assertOutsideUnchanged;

class MatVecTest {
    private static final int XO = 3, OO = 2;

    static Stream<Arguments> dtypesThreadsAndStorage() {
        return TestTensors.anyWidthTypes().flatMap(d -> Stream.of(
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

    /**
     * F32 weights in a float[] (at the start of the array or further in) take the array kernel: the
     * same results, bit for bit, as the same weights in native memory.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void floatArrayWeightsGiveTheSameBitsAsNativeOnes(int threads) {
        int maxCols = TestTensors.SIZES[TestTensors.SIZES.length - 1];
        try (WorkerPool pool = new WorkerPool(threads); Arena arena = Arena.ofShared()) {
            MatVec matVec = new MatVec(pool, maxCols);
            Random rnd = new Random(threads);
            for (int cols : TestTensors.SIZES) {
                for (int rows : new int[] {1, 3, 8, 13, 40}) {
                    for (int lead : new int[] {0, 5}) {
                        float[] values = randomFloats(rnd, lead + rows * cols);
                        Tensor heap = Tensor.of("w", DType.F32, MemorySegment.ofArray(values).asSlice(lead * 4L), rows, cols);
                        MemorySegment nativeCopy = arena.allocate(rows * cols * 4L, 64);
                        MemorySegment.copy(values, lead, nativeCopy, Tensor.F32_LE, 0, rows * cols);
                        Tensor offHeap = Tensor.of("w", DType.F32, nativeCopy, rows, cols);
                        assertSame(values, heap.floatArray());
                        float[] x = randomFloats(rnd, XO + cols + 2);
                        float[] a = new float[OO + rows + 2], b = new float[OO + rows + 2];
                        matVec.apply(heap, x, XO, a, OO);
                        matVec.apply(offHeap, x, XO, b, OO);
                        assertArrayEquals(b, a, "[" + rows + ", " + cols + "] lead " + lead);
                        for (int r = 0; r < rows; r++) {
                            assertDot(Arrays.copyOfRange(values, lead, values.length), r * cols, x, XO, cols, a[OO + r], "row " + r);
                        }
                    }
                }
            }
        }
    }

    /**
     * Several matrices in one job (each dtype alone, and mixed in one group): the same bits as one
     * product each, whichever thread counts split the concatenated rows.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void aGroupGivesTheSameBitsAsOneProductEach(int threads) {
        int cols = 96;
        try (WorkerPool pool = new WorkerPool(threads)) {
            MatVec matVec = new MatVec(pool, cols);
            Random rnd = new Random(threads + 40);
            DType[][] groups = {{DType.F32, DType.F32, DType.F32}, {DType.BF16, DType.BF16}, {DType.Q8_0, DType.Q8_0, DType.Q8_0},
                    {DType.F16, DType.BF16, DType.F32}, {DType.Q8_0, DType.F32}};
            for (DType[] dtypes : groups) {
                Tensor[] ws = new Tensor[dtypes.length];
                float[][] grouped = new float[dtypes.length][], single = new float[dtypes.length][];
                for (int i = 0; i < ws.length; i++) {
                    int rows = 5 + 12 * i;
                    ws[i] = TestTensors.random(dtypes[i], rows, cols, rnd, null).tensor();
                    grouped[i] = new float[rows];
                    single[i] = new float[rows];
                }
                float[] x = randomFloats(rnd, XO + cols);
                matVec.apply(ws, x, XO, grouped);
                for (int i = 0; i < ws.length; i++) {
                    matVec.apply(ws[i], x, XO, single[i], 0);
                    assertArrayEquals(single[i], grouped[i], Arrays.toString(dtypes) + " matrix " + i);
                }
            }
            Tensor narrow = TestTensors.random(DType.F32, 2, cols - 1, rnd, null).tensor();
            Tensor wide = TestTensors.random(DType.F32, 2, cols, rnd, null).tensor();
            assertThrows(IllegalArgumentException.class, () -> matVec.apply(new Tensor[] {wide, narrow}, new float[cols], 0, new float[2][2]));
        }
    }

    /**
     * 4-bit weights go to the pool in pairs of groups, two chunks per thread: whatever the split, a
     * row's product has the bits of one call over all rows (groups paired, alone, and the rows past
     * the last group), for one matrix and for a group of them.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void fourBitRowsGiveTheSameBitsAcrossChunks(int threads) {
        int cols = 256;
        try (WorkerPool pool = new WorkerPool(threads); WorkerPool one = new WorkerPool(1)) {
            MatVec matVec = new MatVec(pool, cols);
            Random rnd = new Random(threads + 60);
            for (DType dtype : new DType[] {DType.Q4_0, DType.Q4_K}) {
                int[] rows = {5 * 64 + 7, 12 * 64, 64 + 3};
                Tensor[] ws = new Tensor[rows.length];
                float[][] grouped = new float[rows.length][], whole = new float[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    ws[i] = TestTensors.random(dtype, rows[i], cols, rnd, null).tensor();
                    grouped[i] = new float[rows[i]];
                    whole[i] = new float[rows[i]];
                }
                float[] x = randomFloats(rnd, XO + cols);
                matVec.apply(ws, x, XO, grouped);
                MatVec alone = new MatVec(one, cols);
                for (int i = 0; i < rows.length; i++) {
                    alone.apply(ws[i], x, XO, whole[i], 0);
                    assertArrayEquals(whole[i], grouped[i], dtype + " matrix " + i + " of " + rows[i] + " rows");
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

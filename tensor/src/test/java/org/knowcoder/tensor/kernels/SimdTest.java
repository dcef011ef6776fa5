package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * Simd's lane sums come out in one fixed order, the same bits before and after the JIT compiles
 * them (the loops run long enough for C2), and the four- and eight-at-a-time forms match the single one.
 */
class SimdTest {
    private static final int VECTORS = 64, ROUNDS = 1000;

    /** The halving steps of {@link Simd#sum}, one lane at a time. */
    private static float halvingSum(float[] a, int off) {
        float[] t = new float[FL];
        System.arraycopy(a, off, t, 0, FL);
        for (int h = FL / 2; h > 0; h /= 2) {
            for (int i = 0; i < h; i++) t[i] = t[i] + t[i + h];
        }
        return t[0];
    }

    @Test
    void sumsFollowTheHalvingStepsInEveryTier() {
        Random random = new Random(3);
        float[] a = new float[VECTORS * FL];
        for (int i = 0; i < a.length; i++) a[i] = (float) random.nextGaussian() * (1 << random.nextInt(8));
        float[] expected = new float[VECTORS];
        for (int v = 0; v < VECTORS; v++) expected[v] = halvingSum(a, v * FL);
        float[] single = new float[VECTORS], four = new float[VECTORS], eight = new float[VECTORS], fromMemory = new float[VECTORS];
        for (int round = 0; round < ROUNDS; round++) {
            for (int v = 0; v < VECTORS; v++) single[v] = Simd.sum(FloatVector.fromArray(F, a, v * FL));
            for (int v = 0; v < VECTORS; v += 4) {
                Simd.store4(Simd.sum4(FloatVector.fromArray(F, a, v * FL), FloatVector.fromArray(F, a, (v + 1) * FL),
                        FloatVector.fromArray(F, a, (v + 2) * FL), FloatVector.fromArray(F, a, (v + 3) * FL)), four, v);
                Simd.sum4(a, v, fromMemory, v);
            }
            for (int v = 0; v < VECTORS; v += 8) {
                float[] acc = new float[8 * FL];
                System.arraycopy(a, v * FL, acc, 0, acc.length);
                Simd.sum8(acc, 0, eight, v);
            }
            assertArrayEquals(expected, single, "sum, round " + round);
            assertArrayEquals(expected, four, "sum4 and store4, round " + round);
            assertArrayEquals(expected, fromMemory, "sum4 from memory, round " + round);
            assertArrayEquals(expected, eight, "sum8, round " + round);
        }
    }

    @Test
    void f32RowsSumAlikeInEveryKernelAndRange() {
        int rows = 27, cols = 3 * FL + 5; // blocks of 8, of 4 and a short one; a tail of columns past the vectors
        Random random = new Random(5);
        float[] w = new float[rows * cols], x = new float[cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
        for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
        MemorySegment data = Arena.ofAuto().allocate(4L * w.length, 64);
        MemorySegment.copy(w, 0, data, Tensor.F32_LE, 0, w.length);
        Tensor mapped = Tensor.of("w", DType.F32, data, rows, cols);
        MemorySegment xs = Arena.ofAuto().allocate(WeightRows.activationBytes(cols), 64);
        WeightRows.prepare(mapped, x, 0, xs);
        float[] whole = new float[rows];
        WeightRows.dot(mapped, 0, rows, xs, whole, 0);
        for (int round = 0; round < ROUNDS / 10; round++) {
            for (int[] split : new int[][] {{0, rows}, {0, 1, 9, 17, 27}, {0, 5, 13, 26, 27}, {0, 3, 4, 27}}) {
                float[] parts = new float[rows], heap = new float[rows];
                for (int i = 0; i + 1 < split.length; i++) {
                    WeightRows.dot(mapped, split[i], split[i + 1], xs, parts, 0);
                    WeightRows.dotF32Heap(w, 0, cols, split[i], split[i + 1], x, heap, 0);
                }
                assertArrayEquals(whole, parts, "mapped, ranges " + Arrays.toString(split) + ", round " + round);
                assertArrayEquals(whole, heap, "heap, ranges " + Arrays.toString(split) + ", round " + round);
            }
        }
    }
}

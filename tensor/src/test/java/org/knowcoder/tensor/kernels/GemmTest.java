package org.knowcoder.tensor.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.Gemm.Matrix;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/**
 * c += A B against its plain definition, one FMA per product in the order of p (which the blocked
 * kernel keeps, so the bits are equal): A and B each as rows and transposed, c at the start of its
 * array and at an offset, sizes around the tile (8 x 32), panel (512 columns) and chunk (256 products) edges.
 */
class GemmTest {
    @ParameterizedTest
    @CsvSource({"1,1,1,1", "8,32,256,2", "9,37,300,2", "13,70,5,1", "3,600,17,2", "16,544,513,2", "40,64,8,2"})
    void equalsOneFmaPerProductInOrder(int m, int n, int k, int threads) {
        Random rnd = new Random(m * 31L + n * 7L + k);
        float[] a = randomFloats(rnd, m * k + 5), b = randomFloats(rnd, k * n + 3), c0 = randomFloats(rnd, m * n + 7);
        try (WorkerPool pool = new WorkerPool(threads)) {
            Gemm gemm = new Gemm(pool);
            for (int variant = 0; variant < 8; variant++) {
                boolean aT = (variant & 1) != 0, bT = (variant & 2) != 0;
                int aOff = (variant & 4) != 0 ? 5 : 0, bOff = (variant & 4) != 0 ? 3 : 0, cOff = (variant & 4) != 0 ? 7 : 0;
                Matrix am = new Matrix(a, aOff, aT ? 1 : k, aT ? m : 1), bm = new Matrix(b, bOff, bT ? 1 : n, bT ? k : 1);
                float[] c = c0.clone();
                gemm.multiplyAdd(am, bm, c, cOff, m, n, k);
                String at = "A " + (aT ? "transposed" : "rows") + ", B " + (bT ? "transposed" : "rows") + ", offsets " + (cOff != 0);
                for (int i = 0; i < c.length; i++) {
                    int e = i - cOff, row = e / n, col = e % n;
                    float expected = c0[i];
                    if (e >= 0 && row < m) {
                        for (int p = 0; p < k; p++) expected = Math.fma(at(am, row, p), at(bm, p, col), expected);
                    }
                    assertEquals(expected, c[i], 0f, "c[" + i + "], " + at);
                }
            }
        }
    }

    private static float at(Matrix x, int i, int j) {
        return x.data()[x.offset() + i * x.rowStride() + j * x.colStride()];
    }
}

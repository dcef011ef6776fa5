package org.knowcoder.tensor.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.parallel.WorkerPool;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.testing.Approx.assertClose;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/**
 * c += A b against a double reference, with A plain and transposed, sizes around the tile and chunk
 * edges, and each matrix at the start of its array or at an offset inside a larger one.
 */
class GemmTest {
    @ParameterizedTest
    @CsvSource({"1,1,1,1", "4,32,256,2", "9,37,300,2", "13,70,5,1", "3,600,17,2", "8,16,513,2"})
    void matchesReference(int m, int n, int k, int threads) {
        Random rnd = new Random(m * 31L + n * 7L + k);
        float[] a = randomFloats(rnd, m * k), b = randomFloats(rnd, k * n), c0 = randomFloats(rnd, m * n);
        try (WorkerPool pool = new WorkerPool(threads)) {
            Gemm gemm = new Gemm(pool);
            for (boolean transposed : new boolean[] {false, true}) for (boolean offsets : new boolean[] {false, true}) {
                float[] c = c0.clone();
                int aRow = transposed ? 1 : k, aCol = transposed ? m : 1;
                if (offsets) {
                    float[] cAt = shifted(c, 7);
                    gemm.multiplyAdd(shifted(a, 3), 3, aRow, aCol, shifted(b, 5), 5, cAt, 7, m, n, k);
                    System.arraycopy(cAt, 7, c, 0, c.length);
                    assertEquals(0f, cAt[6], "written before c");
                    assertEquals(0f, cAt[7 + c.length], "written after c");
                } else {
                    gemm.multiplyAdd(a, aRow, aCol, b, c, m, n, k);
                }
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = c0[i * n + j], scale = Math.abs(sum);
                        for (int p = 0; p < k; p++) {
                            double term = (double) a[i * aRow + p * aCol] * b[p * n + j];
                            sum += term;
                            scale += Math.abs(term);
                        }
                        assertClose(sum, c[i * n + j], scale, 2e-5, 1e-6, "c[" + i + "][" + j + "] transposed=" + transposed + " offsets=" + offsets);
                    }
                }
            }
        }
    }

    /** x at offset {@code at} of a larger array, zeros around it. */
    private static float[] shifted(float[] x, int at) {
        float[] out = new float[x.length + at + 4];
        System.arraycopy(x, 0, out, at, x.length);
        return out;
    }
}

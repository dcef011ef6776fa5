package org.knowcoder.tensor.autograd;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.testing.TestPool;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/**
 * The vectorized attention against a plain reference in double (the textbook loops of the class
 * comment), forward and all three gradients, on sequences long enough for the four-vector blocks
 * of keys, with packed examples, grouped heads, and head sizes that are and are not a multiple of
 * the vector width; and the same bits on one thread as on two.
 */
class CausalAttentionTest {
    private static final int HEADS = 4, KV_HEADS = 2, SEQ = 150;

    @ParameterizedTest(name = "head size {0}")
    @CsvSource({"6", "32"})
    void matchesThePlainReference(int hd) {
        Random rnd = new Random(hd);
        int[] positions = positions();
        int rows = positions.length;
        float[] q = randomFloats(rnd, rows * HEADS * hd), k = randomFloats(rnd, rows * KV_HEADS * hd), v = randomFloats(rnd, rows * KV_HEADS * hd);
        float[] dy = randomFloats(rnd, rows * HEADS * hd);
        float[][] got = run(TestPool.TWO_THREADS, q, k, v, dy, hd, positions);
        double[][] want = reference(q, k, v, dy, hd, positions);
        String[] names = {"y", "dq", "dk", "dv"};
        for (int a = 0; a < 4; a++) {
            for (int i = 0; i < got[a].length; i++) assertEquals(want[a][i], got[a][i], 1e-4 + 1e-4 * Math.abs(want[a][i]), names[a] + "[" + i + "]");
        }
        try (WorkerPool one = new WorkerPool(1)) {
            float[][] alone = run(one, q, k, v, dy, hd, positions);
            for (int a = 0; a < 4; a++) assertArrayEquals(got[a], alone[a], names[a] + " on one thread");
        }
    }

    /** Two sequences of 150 rows: one example, then examples of 70 and 80 rows. */
    private static int[] positions() {
        int[] p = new int[2 * SEQ];
        for (int r = 0; r < SEQ; r++) p[r] = r;
        for (int r = 0; r < SEQ; r++) p[SEQ + r] = r < 70 ? r : r - 70;
        return p;
    }

    private static float[][] run(WorkerPool pool, float[] q, float[] k, float[] v, float[] dy, int hd, int[] positions) {
        int rows = positions.length;
        Tape tape = new Tape(pool);
        Var vq = Var.param("q", q.clone(), rows, HEADS * hd), vk = Var.param("k", k.clone(), rows, KV_HEADS * hd);
        Var vv = Var.param("v", v.clone(), rows, KV_HEADS * hd);
        Var y = CausalAttention.apply(tape, vq, vk, vv, HEADS, KV_HEADS, SEQ, positions);
        float[] out = y.value().clone();
        tape.backward(y, dy);
        return new float[][] {out, vq.grad().clone(), vk.grad().clone(), vv.grad().clone()};
    }

    /** y, dq, dk, dv by the formulas, one (row, head) at a time. */
    private static double[][] reference(float[] q, float[] k, float[] v, float[] dy, int hd, int[] positions) {
        int rows = positions.length, dim = HEADS * hd, kvDim = KV_HEADS * hd, group = HEADS / KV_HEADS;
        double scale = 1 / Math.sqrt(hd);
        double[] y = new double[rows * dim], dq = new double[rows * dim], dk = new double[rows * kvDim], dv = new double[rows * kvDim];
        for (int i = 0; i < rows; i++) {
            int first = i - positions[i];
            for (int h = 0; h < HEADS; h++) {
                int g = h / group, qo = i * dim + h * hd;
                double[] p = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = first; j <= i; j++) {
                    double s = 0;
                    for (int d = 0; d < hd; d++) s += q[qo + d] * k[j * kvDim + g * hd + d];
                    p[j] = s * scale;
                    max = Math.max(max, p[j]);
                }
                for (int j = first; j <= i; j++) sum += p[j] = Math.exp(p[j] - max);
                double rowSum = 0;
                double[] dP = new double[i + 1];
                for (int j = first; j <= i; j++) {
                    p[j] /= sum;
                    for (int d = 0; d < hd; d++) {
                        y[qo + d] += p[j] * v[j * kvDim + g * hd + d];
                        dP[j] += dy[qo + d] * v[j * kvDim + g * hd + d];
                        dv[j * kvDim + g * hd + d] += p[j] * dy[qo + d];
                    }
                    rowSum += p[j] * dP[j];
                }
                for (int j = first; j <= i; j++) {
                    double ds = p[j] * (dP[j] - rowSum) * scale;
                    for (int d = 0; d < hd; d++) {
                        dq[qo + d] += ds * k[j * kvDim + g * hd + d];
                        dk[j * kvDim + g * hd + d] += ds * q[qo + d];
                    }
                }
            }
        }
        return new double[][] {y, dq, dk, dv};
    }
}

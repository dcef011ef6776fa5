package org.knowcoder.tensor.autograd;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import jdk.incubator.vector.FloatVector;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.Softmax;
import org.knowcoder.tensor.kernels.VectorMath;
import org.knowcoder.testing.TestPool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/**
 * The vectorized attention against a plain reference in double (the textbook loops of the class
 * comment), forward and all three gradients, on sequences long enough for the four-vector blocks
 * of keys, with packed examples, examples continuing a shared prefix, grouped heads, and head sizes
 * that are and are not a multiple of the vector width; and the same bits on one thread as on two.
 */
class CausalAttentionTest {
    private static final int HEADS = 4, KV_HEADS = 2, SEQ = 150;

    @ParameterizedTest(name = "head size {0}, shared prefix {1}")
    @CsvSource({"6, false", "32, false", "6, true", "32, true"})
    void matchesThePlainReference(int hd, boolean shared) {
        Random rnd = new Random(hd);
        RowLayout layout = shared ? sharedPrefix() : RowLayout.packed(positions());
        int rows = layout.positions().length;
        float[] q = randomFloats(rnd, rows * HEADS * hd), k = randomFloats(rnd, rows * KV_HEADS * hd), v = randomFloats(rnd, rows * KV_HEADS * hd);
        float[] dy = randomFloats(rnd, rows * HEADS * hd);
        float[][] got = run(TestPool.TWO_THREADS, q, k, v, dy, hd, layout);
        double[][] want = reference(q, k, v, dy, hd, layout);
        String[] names = {"y", "dq", "dk", "dv"};
        for (int a = 0; a < 4; a++) {
            for (int i = 0; i < got[a].length; i++) assertEquals(want[a][i], got[a][i], 1e-4 + 1e-4 * Math.abs(want[a][i]), names[a] + "[" + i + "]");
        }
        try (WorkerPool one = new WorkerPool(1)) {
            float[][] alone = run(one, q, k, v, dy, hd, layout);
            for (int a = 0; a < 4; a++) assertArrayEquals(got[a], alone[a], names[a] + " on one thread");
        }
    }

    /**
     * Rows continuing a shared prefix go through it four at a time where four follow each other
     * (each key, dk and dv row read once for the four), other rows one by one; either way every
     * output is the chain its row's definition gives it: the same bits as {@link #oneRowAtATime},
     * for packed examples, a shared prefix whose examples end in rows outside a block of four,
     * grouped heads, and head sizes with and without dimensions past the last whole vector.
     */
    @ParameterizedTest(name = "head size {0}, shared prefix {1}")
    @CsvSource({"6, false", "32, false", "35, false", "32, true", "35, true", "16, true"})
    void everyOutputIsItsRowsChainOneRowAtATime(int hd, boolean shared) {
        Random rnd = new Random(hd * 7 + (shared ? 1 : 0));
        RowLayout layout = shared ? sharedPrefix() : RowLayout.packed(positions());
        int rows = layout.positions().length;
        float[] q = randomFloats(rnd, rows * HEADS * hd), k = randomFloats(rnd, rows * KV_HEADS * hd), v = randomFloats(rnd, rows * KV_HEADS * hd);
        float[] dy = randomFloats(rnd, rows * HEADS * hd);
        float[][] got = run(TestPool.TWO_THREADS, q, k, v, dy, hd, layout), want = oneRowAtATime(q, k, v, dy, hd, layout);
        String[] names = {"y", "dq", "dk", "dv"};
        for (int a = 0; a < 4; a++) assertArrayEquals(want[a], got[a], names[a]);
    }

    /**
     * The attention's definition as the kernels compute it, in plain float loops, one (row, head)
     * at a time: a score is one FMA chain over the head's dimensions, then scaled; a row's sums over
     * its keys (P v forward, dS k backward) are two chains per dimension that a whole vector of
     * dimensions holds, the even keys' from the output's value and the odd keys' from zero, then
     * added, and one chain each for the dimensions past the last whole vector; the prefix's keys
     * are summed apart from the row's own. dk and dv take each row's share in row order, head by head.
     */
    private static float[][] oneRowAtATime(float[] q, float[] k, float[] v, float[] dy, int hd, RowLayout layout) {
        int rows = layout.positions().length, dim = HEADS * hd, kvDim = KV_HEADS * hd, group = HEADS / KV_HEADS;
        int vectorDims = hd / FloatVector.SPECIES_PREFERRED.length() * FloatVector.SPECIES_PREFERRED.length();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] y = new float[rows * dim], dq = new float[rows * dim], dk = new float[rows * kvDim], dv = new float[rows * kvDim];
        float[][] probs = new float[rows * HEADS][];
        for (int pass = 0; pass < 2; pass++) { // forward, then backward
            for (int b = 0; b < rows / SEQ; b++) {
                for (int h = 0; h < HEADS; h++) {
                    for (int i = b * SEQ; i < (b + 1) * SEQ; i++) {
                        int[][] runs = runs(layout, i);
                        int n = runs[0].length + runs[1].length, qo = i * dim + h * hd, g = h / group;
                        if (pass == 0) {
                            float[] p = new float[n];
                            int c = 0;
                            for (int[] run : runs) {
                                for (int j : run) {
                                    float s = 0;
                                    for (int d = 0; d < hd; d++) s = Math.fma(k[j * kvDim + g * hd + d], q[qo + d], s);
                                    p[c++] = s * scale;
                                }
                            }
                            Softmax.apply(p, 0, n);
                            probs[i * HEADS + h] = p;
                            for (int[] run : runs) sumOver(run, run == runs[0] ? 0 : runs[0].length, p, v, kvDim, g * hd, hd, vectorDims, y, qo);
                        } else {
                            float[] p = probs[i * HEADS + h], dS = new float[n];
                            int c = 0;
                            for (int[] run : runs) {
                                for (int j : run) {
                                    float s = 0;
                                    for (int d = 0; d < hd; d++) s = Math.fma(v[j * kvDim + g * hd + d], dy[qo + d], s);
                                    dS[c++] = s * 1f;
                                }
                            }
                            float rowSum = VectorMath.dot(p, 0, dS, 0, n);
                            for (c = 0; c < n; c++) dS[c] = p[c] * (dS[c] - rowSum) * scale;
                            c = 0;
                            for (int[] run : runs) {
                                for (int j : run) {
                                    for (int d = 0; d < hd; d++) {
                                        int o = j * kvDim + g * hd + d;
                                        dv[o] = Math.fma(dy[qo + d], p[c], dv[o]);
                                        dk[o] = Math.fma(q[qo + d], dS[c], dk[o]);
                                    }
                                    c++;
                                }
                            }
                            for (int[] run : runs) sumOver(run, run == runs[0] ? 0 : runs[0].length, dS, k, kvDim, g * hd, hd, vectorDims, dq, qo);
                        }
                    }
                }
            }
        }
        return new float[][] {y, dq, dk, dv};
    }

    /** out[oo + d] += sum over the run's keys c of w[wo + c] * x[key's row, d], in the kernels' chains. */
    private static void sumOver(int[] run, int wo, float[] w, float[] x, int stride, int xo, int hd, int vectorDims, float[] out, int oo) {
        for (int d = 0; d < hd; d++) {
            float even = out[oo + d], odd = 0;
            for (int c = 0; c < run.length; c++) {
                float term = x[run[c] * stride + xo + d], weight = w[wo + c];
                if (d >= vectorDims || c % 2 == 0) even = Math.fma(term, weight, even);
                else odd = Math.fma(term, weight, odd);
            }
            out[oo + d] = d < vectorDims ? even + odd : even;
        }
    }

    /** Row i's keys as the kernels take them: its prefix's rows, then its own up to itself. */
    private static int[][] runs(RowLayout layout, int i) {
        int start = i / SEQ * SEQ, end = layout.prefixEnds() == null ? -1 : layout.prefixEnds()[i];
        int shared = end < 0 ? 0 : layout.positions()[start + end] + 1;
        int[] keys = keys(layout, i).stream().mapToInt(Integer::intValue).toArray();
        return new int[][] {Arrays.copyOfRange(keys, 0, shared), Arrays.copyOfRange(keys, shared, keys.length)};
    }

    /** Two sequences of 150 rows: one example, then examples of 70 and 80 rows. */
    private static int[] positions() {
        int[] p = new int[2 * SEQ];
        for (int r = 0; r < SEQ; r++) p[r] = r;
        for (int r = 0; r < SEQ; r++) p[SEQ + r] = r < 70 ? r : r - 70;
        return p;
    }

    /**
     * Two sequences of 150 rows: one example; then a prefix of 40 rows shared by examples of 49 and 61
     * rows of their own: the first example's end falls inside a block of four, so the second's blocks
     * start at its fourth row and its blocks' first rows see an even number of their own keys (an
     * example's own blocks elsewhere start at its first row, an odd number).
     */
    private static RowLayout sharedPrefix() {
        int[] p = positions(), ends = new int[2 * SEQ];
        Arrays.fill(ends, -1);
        for (int r = 0; r < SEQ; r++) {
            p[SEQ + r] = r < 89 ? r : r - 49;
            if (r >= 40) ends[SEQ + r] = 39;
        }
        return new RowLayout(p, ends);
    }

    /** The rows row i sees, straight from the layout's definition: its prefix's rows, then its own up to itself. */
    private static List<Integer> keys(RowLayout layout, int i) {
        int start = i / SEQ * SEQ, pos = layout.positions()[i], end = layout.prefixEnds() == null ? -1 : layout.prefixEnds()[i];
        List<Integer> keys = new ArrayList<>();
        int shared = end < 0 ? 0 : layout.positions()[start + end] + 1;
        for (int j = start + end + 1 - shared; j <= start + end; j++) keys.add(j);
        for (int j = i - (pos - shared); j <= i; j++) keys.add(j);
        return keys;
    }

    private static float[][] run(WorkerPool pool, float[] q, float[] k, float[] v, float[] dy, int hd, RowLayout layout) {
        int rows = layout.positions().length;
        Tape tape = new Tape(pool);
        Var vq = Var.param("q", q.clone(), rows, HEADS * hd), vk = Var.param("k", k.clone(), rows, KV_HEADS * hd);
        Var vv = Var.param("v", v.clone(), rows, KV_HEADS * hd);
        Var y = CausalAttention.apply(tape, vq, vk, vv, HEADS, KV_HEADS, SEQ, layout);
        float[] out = Arrays.copyOf(y.value(), y.size()); // a pool array may be longer
        tape.backward(y, dy);
        return new float[][] {out, vq.grad().clone(), vk.grad().clone(), vv.grad().clone()};
    }

    /** y, dq, dk, dv by the formulas, one (row, head) at a time. */
    private static double[][] reference(float[] q, float[] k, float[] v, float[] dy, int hd, RowLayout layout) {
        int rows = layout.positions().length, dim = HEADS * hd, kvDim = KV_HEADS * hd, group = HEADS / KV_HEADS;
        double scale = 1 / Math.sqrt(hd);
        double[] y = new double[rows * dim], dq = new double[rows * dim], dk = new double[rows * kvDim], dv = new double[rows * kvDim];
        for (int i = 0; i < rows; i++) {
            List<Integer> keys = keys(layout, i);
            for (int h = 0; h < HEADS; h++) {
                int g = h / group, qo = i * dim + h * hd;
                double[] p = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j : keys) {
                    double s = 0;
                    for (int d = 0; d < hd; d++) s += q[qo + d] * k[j * kvDim + g * hd + d];
                    p[j] = s * scale;
                    max = Math.max(max, p[j]);
                }
                for (int j : keys) sum += p[j] = Math.exp(p[j] - max);
                double rowSum = 0;
                double[] dP = new double[i + 1];
                for (int j : keys) {
                    p[j] /= sum;
                    for (int d = 0; d < hd; d++) {
                        y[qo + d] += p[j] * v[j * kvDim + g * hd + d];
                        dP[j] += dy[qo + d] * v[j * kvDim + g * hd + d];
                        dv[j * kvDim + g * hd + d] += p[j] * dy[qo + d];
                    }
                    rowSum += p[j] * dP[j];
                }
                for (int j : keys) {
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

package org.knowcoder.train;

import org.junit.jupiter.api.Test;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Var;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** A tensor large enough to be split over the pool gets the bits of the plain element-by-element update. */
class AdamWTest {
    private static final int N = 40_000;

    @Test
    void aSplitTensorGetsThePlainUpdate() {
        float[][] grads = new float[3][N];
        SplittableRandom rnd = new SplittableRandom(3);
        for (float[] g : grads) for (int i = 0; i < N; i++) g[i] = (float) rnd.nextGaussian();
        float[] start = new float[N];
        for (int i = 0; i < N; i++) start[i] = (float) rnd.nextGaussian();

        float[] w = start.clone(), m = new float[N], v = new float[N]; // the plain update, as PyTorch writes it
        double lr = 1e-3, b1 = 0.9, b2 = 0.95;
        for (int t = 1; t <= grads.length; t++) {
            float stepSize = (float) (lr / (1 - Math.pow(b1, t))), sqrtC2 = (float) Math.sqrt(1 - Math.pow(b2, t)), decay = (float) (1 - lr * 0.1);
            for (int i = 0; i < N; i++) {
                float g = grads[t - 1][i];
                w[i] *= decay;
                m[i] = 0.9f * m[i] + (1 - 0.9f) * g;
                v[i] = 0.95f * v[i] + (1 - 0.95f) * g * g;
                w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / sqrtC2 + 1e-8f);
            }
        }
        for (int threads : new int[] {1, 2}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                Var p = Var.param("w", start.clone(), 1, N);
                AdamW opt = AdamW.knowCoder();
                for (int t = 1; t <= grads.length; t++) {
                    System.arraycopy(grads[t - 1], 0, p.gradForUpdate(), 0, N);
                    opt.step(List.of(new Parameter("w", p, true)), lr, t, pool);
                    p.zeroGrad();
                }
                assertArrayEquals(w, p.value(), 0f, threads + " threads");
            }
        }
    }
}

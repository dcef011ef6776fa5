package org.knowcoder.cuda;

import org.junit.jupiter.api.Test;
import org.knowcoder.tensor.device.DeviceBuffer;
import org.knowcoder.tensor.kernels.Softmax;

import static org.knowcoder.cuda.CudaOpParityTest.assertClose;
import static org.knowcoder.cuda.CudaOpParityTest.random;

/** The kernels outside the Device interface (training, softmax) against plain Java versions of their formulas. */
class CudaTrainingKernelsTest {

    @Test
    void softmaxRows() {
        CudaDevice gpu = Gpu.device();
        int rows = 3, cols = 1001;
        float[] x = random(rows * cols, 11);
        DeviceBuffer b = gpu.upload("x", x);
        gpu.kernels().norm.softmaxRows(CudaBuffer.activations(b, x.length).data, rows, cols, gpu.stream());
        float[] actual = new float[x.length];
        gpu.read(b, 0, actual, x.length);
        for (int r = 0; r < rows; r++) Softmax.apply(x, r * cols, cols);
        assertClose(x, actual, 1e-6f, "softmax");
    }

    @Test
    void crossEntropyWithAMaskedRow() {
        CudaDevice gpu = Gpu.device();
        int rows = 4, vocab = 517;
        float scale = 1f / 3; // three unmasked rows
        float[] logits = random(rows * vocab, 12);
        int[] targets = {5, -1, 516, 0};
        float[] loss = new float[rows], grad = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            if (targets[r] < 0) continue;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < vocab; v++) max = Math.max(max, logits[r * vocab + v]);
            for (int v = 0; v < vocab; v++) sum += Math.exp(logits[r * vocab + v] - max);
            loss[r] = (float) (Math.log(sum) + max - logits[r * vocab + targets[r]]);
            for (int v = 0; v < vocab; v++) {
                double p = Math.exp(logits[r * vocab + v] - max) / sum;
                grad[r * vocab + v] = (float) ((p - (v == targets[r] ? 1 : 0)) * scale);
            }
        }
        DeviceBuffer l = gpu.floats("loss", rows), g = gpu.floats("dlogits", (long) rows * vocab), x = gpu.upload("logits", logits);
        DeviceBuffer t = gpu.ints("targets", rows);
        gpu.write(targets, rows, t);
        gpu.kernels().train.crossEntropy(CudaBuffer.activations(l, rows).data, CudaBuffer.activations(g, grad.length).data,
                CudaBuffer.activations(x, logits.length).data, CudaBuffer.ids(t, rows).data, rows, vocab, scale, gpu.stream());
        float[] actualLoss = new float[rows], actualGrad = new float[grad.length];
        gpu.read(l, 0, actualLoss, rows);
        gpu.read(g, 0, actualGrad, grad.length);
        assertClose(loss, actualLoss, 1e-5f, "loss");
        assertClose(grad, actualGrad, 1e-6f, "dlogits");
    }

    @Test
    void adamwMatchesTheCpuOptimizersArithmetic() {
        CudaDevice gpu = Gpu.device();
        int n = 1000, t = 3;
        float lr = 3e-4f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, weightDecay = 0.1f;
        float[] w = random(n, 13), g = random(n, 14), m = random(n, 15), v = random(n, 16);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
        double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
        float stepSize = (float) (lr / c1), sqrtC2 = (float) Math.sqrt(c2), decay = 1 - lr * weightDecay;
        DeviceBuffer dw = gpu.upload("w", w), dg = gpu.upload("g", g), dm = gpu.upload("m", m), dv = gpu.upload("v", v);
        gpu.kernels().train.adamw(CudaBuffer.activations(dw, n).data, CudaBuffer.activations(dg, n).data,
                CudaBuffer.activations(dm, n).data, CudaBuffer.activations(dv, n).data, n, lr, b1, b2, eps, decay, stepSize, sqrtC2,
                gpu.stream());
        for (int i = 0; i < n; i++) { // org.knowcoder.train.AdamW's loop
            w[i] *= decay;
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / sqrtC2 + eps);
        }
        float[] actual = new float[n];
        gpu.read(dw, 0, actual, n);
        assertClose(w, actual, 0f, "parameters after one step");
        gpu.read(dm, 0, actual, n);
        assertClose(m, actual, 0f, "first moments");
        gpu.read(dv, 0, actual, n);
        assertClose(v, actual, 0f, "second moments");
    }
}

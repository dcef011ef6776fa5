package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.f32;
import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.i64;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/** train.cu: the cross-entropy head and the AdamW step. */
public final class TrainKernels {
    public static final String MODULE = "train";
    static final List<String> FUNCTIONS = List.of("cross_entropy", "adamw");
    private static final int ROW_BLOCK = 256;

    private final Kernel crossEntropy, adamw;

    public TrainKernels(CUmodule module) {
        crossEntropy = Kernel.of(module, "cross_entropy");
        adamw = Kernel.of(module, "adamw");
    }

    /**
     * loss[r] = logsumexp(logits[r]) - logits[r, targets[r]], dlogits[r] = (softmax(logits[r]) -
     * onehot(targets[r])) * gradScale; a negative target masks the row (loss 0, zero gradient).
     * dlogits may be logits.
     */
    public void crossEntropy(CUdeviceptr loss, CUdeviceptr dlogits, CUdeviceptr logits, CUdeviceptr targets, int rows,
            int vocab, float gradScale, CUstream stream) {
        if (rows == 0) return;
        crossEntropy.launch(rows, 1, ROW_BLOCK, 0, stream,
                ptr(loss), ptr(dlogits), ptr(logits), ptr(targets), i32(rows), i32(vocab), f32(gradScale));
    }

    /**
     * One AdamW step over n parameters, as the CPU optimizer: decay = 1 - lr * weightDecay (1 for
     * parameters without decay), stepSize = lr / (1 - beta1^t), sqrtC2 = sqrt(1 - beta2^t).
     */
    public void adamw(CUdeviceptr param, CUdeviceptr grad, CUdeviceptr m, CUdeviceptr v, long n, float lr, float beta1,
            float beta2, float eps, float decay, float stepSize, float sqrtC2, CUstream stream) {
        adamw.launchElementwise(n, stream, ptr(param), ptr(grad), ptr(m), ptr(v), i64(n), f32(lr), f32(beta1),
                f32(beta2), f32(eps), f32(decay), f32(stepSize), f32(sqrtC2));
    }
}

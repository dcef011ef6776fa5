// Training kernels: the loss head and the optimizer step.

#include "common.cuh"

// Per row: loss = logsumexp(logits) - logits[target]; dlogits = (softmax - onehot(target)) * gradScale.
// A negative target masks the row: loss 0 and a zero gradient row. dlogits may alias logits (every
// thread reads an element before writing it, and the target logit is read before the final pass).
// Launch: grid = rows, block = 256, dynamic shared memory = 0.
extern "C" __global__ void cross_entropy(float* loss, float* dlogits, const float* logits, const int* targets,
                                         int rows, int vocab, float gradScale) {
    __shared__ float scratch[32];
    if ((int)blockIdx.x >= rows) return;
    size_t off = (size_t)blockIdx.x * vocab;
    const float* x = logits + off;
    float* dx = dlogits + off;
    int target = targets[blockIdx.x];
    if (target < 0) {  // uniform across the block: no thread reaches a reduction below
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) dx[i] = 0.0f;
        if (threadIdx.x == 0) loss[blockIdx.x] = 0.0f;
        return;
    }
    float m = -INFINITY;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) m = fmaxf(m, x[i]);
    m = block_max(m, scratch);
    float s = 0.0f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) s += expf(x[i] - m);
    s = block_sum(s, scratch);
    float lse = m + logf(s);
    float xt = x[target];
    __syncthreads();  // everyone has read x[target] before anyone may overwrite it (aliasing)
    if (threadIdx.x == 0) loss[blockIdx.x] = lse - xt;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float p = expf(x[i] - lse);
        dx[i] = (i == target ? p - 1.0f : p) * gradScale;
    }
}

// One AdamW step, elementwise, the same operations in the same order as the CPU optimizer:
//   w *= decay; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= stepSize * m / (sqrt(v) / sqrtC2 + eps)
// with decay = 1 - lr * weightDecay, stepSize = lr / (1 - b1^t), sqrtC2 = sqrt(1 - b2^t) from the host.
// lr is kept in the signature for symmetry with the host call; the host folds it into decay and stepSize.
// Launch: grid = min(ceil(n / 256), 65536), block = 256, dynamic shared memory = 0.
extern "C" __global__ void adamw(float* param, const float* grad, float* m, float* v, long long n, float lr,
                                 float beta1, float beta2, float eps, float decay, float stepSize, float sqrtC2) {
    (void)lr;
    GRID_STRIDE_LOOP(i, n) {
        // __fmul_rn/__fadd_rn keep the compiler from fusing a*b+c into one FMA: Java rounds each
        // product, so unfused steps give bit-identical results (sqrtf and / are IEEE-exact here
        // because fast math is off).
        float g = grad[i];
        float w = __fmul_rn(param[i], decay);
        float mi = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(1.0f - beta1, g));
        float vi = __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(__fmul_rn(1.0f - beta2, g), g));
        w = __fsub_rn(w, __fmul_rn(stepSize, mi) / (sqrtf(vi) / sqrtC2 + eps));
        param[i] = w;
        m[i] = mi;
        v[i] = vi;
    }
}

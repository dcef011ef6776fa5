// Row-wise normalisations: RMSNorm and softmax. One block per row; a row is read twice (the
// second time mostly from L1/L2), which beats keeping it in shared memory for dims up to ~16k.

#include "common.cuh"

// out[r] = weight * (x[r] / sqrt(mean(x[r]^2) + eps)). The sum of squares is a float, as on the
// CPU; out may alias x (each thread rewrites only the elements it read itself).
// Launch: grid = rows, block = 256, dynamic shared memory = 0.
extern "C" __global__ void rmsnorm(float* out, const float* x, const float* weight, int rows, int dim, float eps) {
    __shared__ float scratch[32];
    if ((int)blockIdx.x >= rows) return;
    const float* xr = x + (size_t)blockIdx.x * dim;
    float* orow = out + (size_t)blockIdx.x * dim;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) ss += xr[i] * xr[i];
    ss = block_sum(ss, scratch);
    ss = ss / dim + eps;
    ss = 1.0f / sqrtf(ss);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) orow[i] = weight[i] * (ss * xr[i]);
}

// Embedding lookup and the elementwise operations of the transformer block.

#include "common.cuh"

// out[t, c] = table[tokens[t], c]. Token ids are trusted (the host checks them against the
// vocabulary before upload).
// Launch: grid = (ceil(dim / 256), n), block = 256, dynamic shared memory = 0.
extern "C" __global__ void embedding_f32(float* out, const float* table, const int* tokens, int n, int dim) {
    int t = blockIdx.y, c = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n || c >= dim) return;
    out[(size_t)t * dim + c] = table[(size_t)tokens[t] * dim + c];
}

// Same launch as embedding_f32; table holds BF16 bits.
extern "C" __global__ void embedding_bf16(float* out, const uint16_t* table, const int* tokens, int n, int dim) {
    int t = blockIdx.y, c = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n || c >= dim) return;
    out[(size_t)t * dim + c] = bf16_to_f32(table[(size_t)tokens[t] * dim + c]);
}

// Same launch as embedding_f32; table holds F16 bits.
extern "C" __global__ void embedding_f16(float* out, const uint16_t* table, const int* tokens, int n, int dim) {
    int t = blockIdx.y, c = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n || c >= dim) return;
    out[(size_t)t * dim + c] = f16_to_f32(table[(size_t)tokens[t] * dim + c]);
}

// Q8_0: one F32 scale per groupSize consecutive values of the flattened table.
// Same launch as embedding_f32.
extern "C" __global__ void embedding_q8_0(float* out, const int8_t* q, const float* scales, const int* tokens,
                                          int n, int dim, int groupSize) {
    int t = blockIdx.y, c = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= n || c >= dim) return;
    size_t idx = (size_t)tokens[t] * dim + c;
    out[(size_t)t * dim + c] = (float)q[idx] * scales[idx / groupSize];
}

// SwiGLU gate, in place: g = silu(g) * u, written exactly as the CPU does (g / (1 + e^-g) * u)
// with the accurate expf so the two agree to rounding.
// Launch: grid = min(ceil(n / 256), 65536), block = 256, dynamic shared memory = 0.
extern "C" __global__ void silu_gate(float* g, const float* u, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        float v = g[i];
        g[i] = v / (1.0f + expf(-v)) * u[i];
    }
}

// Residual add, in place: x += y.
// Launch: grid = min(ceil(n / 256), 65536), block = 256, dynamic shared memory = 0.
extern "C" __global__ void add(float* x, const float* y, long long n) {
    GRID_STRIDE_LOOP(i, n) x[i] += y[i];
}

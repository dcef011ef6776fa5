// Conversions between F32 and the 16-bit formats (BF16 and F16 are passed as raw uint16 bits).
//
// Launch configuration of every kernel in this file (elementwise, grid-stride):
//   grid  = min(ceil(n / 256), 65536), block = 256, dynamic shared memory = 0.

#include "common.cuh"

extern "C" __global__ void f32_to_bf16_kernel(uint16_t* out, const float* x, long long n) {
    GRID_STRIDE_LOOP(i, n) out[i] = f32_to_bf16(x[i]);
}

extern "C" __global__ void bf16_to_f32_kernel(float* out, const uint16_t* x, long long n) {
    GRID_STRIDE_LOOP(i, n) out[i] = bf16_to_f32(x[i]);
}

extern "C" __global__ void f32_to_f16_kernel(uint16_t* out, const float* x, long long n) {
    GRID_STRIDE_LOOP(i, n) out[i] = f32_to_f16(x[i]);
}

extern "C" __global__ void f16_to_f32_kernel(float* out, const uint16_t* x, long long n) {
    GRID_STRIDE_LOOP(i, n) out[i] = f16_to_f32(x[i]);
}

// x ~= hi + lo with both halves BF16: the tensor-core GEMM multiplies both by the weights and adds,
// which keeps about 16 significant bits of the activations instead of BF16's 8, the difference
// between a relative error near 4e-3 and one near 1e-5 against the F32 CPU path.
extern "C" __global__ void f32_to_bf16_split_kernel(uint16_t* hi, uint16_t* lo, const float* x, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        float v = x[i];
        uint16_t h = f32_to_bf16(v);
        float hv = bf16_to_f32(h);
        hi[i] = h;
        // an infinite hi (x infinite or beyond the range) takes lo = 0: hi + lo stays infinite, where
        // v - hi would be -inf or NaN and make every product of the split GEMM NaN
        lo[i] = fabsf(hv) == INFINITY ? (uint16_t)0 : f32_to_bf16(v - hv);
    }
}

// The same split for F16 (hi + lo keeps about 22 bits; values beyond F16's range of 65504 still
// overflow to an infinite hi with lo = 0, as they would in a plain conversion).
extern "C" __global__ void f32_to_f16_split_kernel(uint16_t* hi, uint16_t* lo, const float* x, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        float v = x[i];
        uint16_t h = f32_to_f16(v);
        float hv = f16_to_f32(h);
        hi[i] = h;
        lo[i] = fabsf(hv) == INFINITY ? (uint16_t)0 : f32_to_f16(v - hv);  // as in the BF16 split
    }
}

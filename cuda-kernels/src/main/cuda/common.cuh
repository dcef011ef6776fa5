// Shared device helpers for the KnowCoder-J kernels.
//
// Included by every .cu file of this directory. It must not include another local ("...")
// header: the PTX freshness hash covers a .cu file plus the local headers it includes directly
// (see build-ptx.sh), so a nested local include would escape the hash.
#pragma once

#include <cuda_fp16.h>
#include <stdint.h>

// Every reduction below assumes full warps: all block sizes used by the launch wrappers are
// multiples of 32.
#define FULL_MASK 0xffffffffu

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// Sum over the whole block, returned to every thread. scratch holds 32 floats in shared memory;
// the leading __syncthreads lets callers reuse the same scratch for consecutive reductions.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.0f;
    return warp_sum(v);
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(v);
}

// Replaces v[0..n) by exp(v[i] - max v) and returns their sum to every thread of the block: the
// unnormalised softmax of softmax_rows and attention. block_sum's __syncthreads also publishes
// the exponentials to the whole block.
__device__ __forceinline__ float block_exp_in_place(float* v, int n, float* scratch) {
    float m = -INFINITY;
    for (int i = threadIdx.x; i < n; i += blockDim.x) m = fmaxf(m, v[i]);
    m = block_max(m, scratch);
    float s = 0.0f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float e = expf(v[i] - m);
        v[i] = e;
        s += e;
    }
    return block_sum(s, scratch);
}

// BF16 is the top half of an F32: widening is a shift.
__device__ __forceinline__ float bf16_to_f32(uint16_t b) {
    return __uint_as_float(((uint32_t)b) << 16);
}

// Round to nearest even; NaN stays a (quiet) NaN instead of rounding into infinity. Bit-for-bit the
// same rule as the CPU engine's Half.floatToBf16.
__device__ __forceinline__ uint16_t f32_to_bf16(float f) {
    uint32_t u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

__device__ __forceinline__ float f16_to_f32(uint16_t h) {
    return __half2float(__ushort_as_half(h));
}

// IEEE round to nearest even, like Java's Float.floatToFloat16.
__device__ __forceinline__ uint16_t f32_to_f16(float f) {
    return __half_as_ushort(__float2half_rn(f));
}

// Grid-stride loops over long element counts: the wrappers cap the grid, so one thread may
// handle several elements and n may exceed 2^31.
#define GRID_STRIDE_LOOP(i, n)                                                       \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);   \
         i += (long long)gridDim.x * blockDim.x)

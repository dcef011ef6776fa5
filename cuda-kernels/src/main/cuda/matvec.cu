// Matrix-vector products for decoding one token: out[o] = sum_i w[o, i] * x[i], w [outDim, in].
//
// Decode speed on the GPU is the speed of streaming the weights once from HBM, so these kernels are
// built around the weight reads:
//  - one warp per output row: a row is one contiguous stream, the warp reads it in 16-byte chunks
//    (lane l takes chunks l, l+32, ...: every warp-wide load is 512 contiguous bytes),
//  - four independent 16-byte loads in flight per lane (the 4x unrolled main loop) to cover HBM latency,
//  - weights loaded with __ldcs (evict-first): they are used once and must not push x out of the caches,
//  - x read with __ldg through L1: every warp of an SM reads the same x, which stays cached
//    (explicit shared-memory staging would only add a copy per block),
//  - a shuffle reduction at the end; no shared memory, no __syncthreads.
// Rows whose length breaks the 16-byte alignment fall back to a scalar (still coalesced) loop.
//
// A few input rows (a batched decode step) go in one launch, one grid row each: x and out are then
// [rows, in] and [rows, outDim], and each input row reads the weights again, mostly from L2 when the
// matrix fits there (the host picks this path for small matrices only).
//
// Launch of every kernel in this file: grid = (ceil(outDim / 8), rows), block = 256 (8 warps = 8 output
// rows), dynamic shared memory = 0. Pointers come from cuMemAlloc (256-byte aligned) or are 16-byte
// aligned; each input row stays 16-byte aligned wherever the vector path runs (in a multiple of 4, 8 or 16).

#include "common.cuh"

#define MV_ROWS_PER_BLOCK 8

// Sum over the 16-byte chunks of one weight row of dot(chunk c, matching x elements).
// Dot is a functor: float operator()(uint4 chunk, int c).
template <typename Dot>
__device__ __forceinline__ float row_dot(const uint4* w, int chunks, int lane, const Dot& dot) {
    float acc0 = 0.0f, acc1 = 0.0f;
    int c = lane;
    for (; c + 96 < chunks; c += 128) {
        uint4 a = __ldcs(w + c), b = __ldcs(w + c + 32), d = __ldcs(w + c + 64), e = __ldcs(w + c + 96);
        acc0 += dot(a, c);
        acc1 += dot(b, c + 32);
        acc0 += dot(d, c + 64);
        acc1 += dot(e, c + 96);
    }
    for (; c < chunks; c += 32) acc0 += dot(__ldcs(w + c), c);
    return acc0 + acc1;
}

struct DotF32 {
    const float4* x;
    __device__ float operator()(uint4 u, int c) const {
        float4 v = __ldg(x + c);
        return __uint_as_float(u.x) * v.x + __uint_as_float(u.y) * v.y + __uint_as_float(u.z) * v.z +
               __uint_as_float(u.w) * v.w;
    }
};

// 8 packed 16-bit weights against 8 floats of x; Wide converts one 16-bit pattern to float.
template <float (*Wide)(uint16_t)>
struct Dot16 {
    const float4* x;
    __device__ float operator()(uint4 u, int c) const {
        float4 a = __ldg(x + 2 * c), b = __ldg(x + 2 * c + 1);
        return Wide((uint16_t)u.x) * a.x + Wide((uint16_t)(u.x >> 16)) * a.y + Wide((uint16_t)u.y) * a.z +
               Wide((uint16_t)(u.y >> 16)) * a.w + Wide((uint16_t)u.z) * b.x + Wide((uint16_t)(u.z >> 16)) * b.y +
               Wide((uint16_t)u.w) * b.z + Wide((uint16_t)(u.w >> 16)) * b.w;
    }
};

__device__ __forceinline__ float dot4_i8(uint32_t q, float4 v) {
    return (float)(int8_t)(q & 0xff) * v.x + (float)(int8_t)((q >> 8) & 0xff) * v.y +
           (float)(int8_t)((q >> 16) & 0xff) * v.z + (float)(int8_t)(q >> 24) * v.w;
}

// 16 int8 weights of one scale group (groupSize is a multiple of 16 on this path) against 16 floats.
struct DotQ8 {
    const float4* x;
    const float* rowScales;  // scales of this row: in / groupSize of them
    int chunksPerGroup;
    __device__ float operator()(uint4 u, int c) const {
        const float4* xv = x + 4 * c;
        float s = dot4_i8(u.x, __ldg(xv)) + dot4_i8(u.y, __ldg(xv + 1)) + dot4_i8(u.z, __ldg(xv + 2)) +
                  dot4_i8(u.w, __ldg(xv + 3));
        return s * __ldg(rowScales + c / chunksPerGroup);
    }
};

extern "C" __global__ void matvec_f32(float* out, const float* w, const float* x, int outDim, int in) {
    int row = blockIdx.x * MV_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= outDim) return;  // whole warps leave together: the shuffles below stay full-warp
    x += (size_t)blockIdx.y * in;
    out += (size_t)blockIdx.y * outDim;
    const float* wr = w + (size_t)row * in;
    float acc;
    if ((in & 3) == 0) {
        acc = row_dot((const uint4*)wr, in >> 2, lane, DotF32{(const float4*)x});
    } else {
        acc = 0.0f;
        for (int i = lane; i < in; i += 32) acc += wr[i] * __ldg(x + i);
    }
    acc = warp_sum(acc);
    if (lane == 0) out[row] = acc;
}

extern "C" __global__ void matvec_bf16(float* out, const uint16_t* w, const float* x, int outDim, int in) {
    int row = blockIdx.x * MV_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= outDim) return;
    x += (size_t)blockIdx.y * in;
    out += (size_t)blockIdx.y * outDim;
    const uint16_t* wr = w + (size_t)row * in;
    float acc;
    if ((in & 7) == 0) {
        acc = row_dot((const uint4*)wr, in >> 3, lane, Dot16<bf16_to_f32>{(const float4*)x});
    } else {
        acc = 0.0f;
        for (int i = lane; i < in; i += 32) acc += bf16_to_f32(wr[i]) * __ldg(x + i);
    }
    acc = warp_sum(acc);
    if (lane == 0) out[row] = acc;
}

extern "C" __global__ void matvec_f16(float* out, const uint16_t* w, const float* x, int outDim, int in) {
    int row = blockIdx.x * MV_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= outDim) return;
    x += (size_t)blockIdx.y * in;
    out += (size_t)blockIdx.y * outDim;
    const uint16_t* wr = w + (size_t)row * in;
    float acc;
    if ((in & 7) == 0) {
        acc = row_dot((const uint4*)wr, in >> 3, lane, Dot16<f16_to_f32>{(const float4*)x});
    } else {
        acc = 0.0f;
        for (int i = lane; i < in; i += 32) acc += f16_to_f32(wr[i]) * __ldg(x + i);
    }
    acc = warp_sum(acc);
    if (lane == 0) out[row] = acc;
}

// Q8_0: q holds int8 values, scales one F32 per groupSize consecutive values of the flattened
// [outDim, in] tensor (groupSize divides in, so a group never straddles two rows).
extern "C" __global__ void matvec_q8_0(float* out, const int8_t* q, const float* scales, const float* x,
                                       int outDim, int in, int groupSize) {
    int row = blockIdx.x * MV_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= outDim) return;
    x += (size_t)blockIdx.y * in;
    out += (size_t)blockIdx.y * outDim;
    const int8_t* wr = q + (size_t)row * in;
    const float* rs = scales + (size_t)row * (in / groupSize);
    float acc;
    if ((in & 15) == 0 && (groupSize & 15) == 0) {
        acc = row_dot((const uint4*)wr, in >> 4, lane, DotQ8{(const float4*)x, rs, groupSize >> 4});
    } else {
        acc = 0.0f;
        for (int i = lane; i < in; i += 32) acc += (float)wr[i] * __ldg(rs + i / groupSize) * __ldg(x + i);
    }
    acc = warp_sum(acc);
    if (lane == 0) out[row] = acc;
}

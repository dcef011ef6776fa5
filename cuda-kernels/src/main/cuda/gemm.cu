// GEMM fallbacks for prefill and training when cuBLAS cannot be loaded (e.g. a CUDA 13-only
// machine, where JCublas 12 finds no libcublas.so.12): out[r, o] = sum_i x[r, i] * w[o, i],
// x F32 [rows, in], w [outDim, in] (the engine's weight layout, so this is x * w^T).
// Every kernel handles any rows / in / outDim: tiles are zero-padded at the edges.

#include "common.cuh"
#include <cuda_bf16.h>
#include <mma.h>

// ---------------------------------------------------------------------------------------------
// F32 CUDA-core GEMM: 64x64 output tile per block, k in steps of 16 staged in shared memory,
// 4x4 outputs per thread (rows ty + 16i, columns tx + 16j: neighbouring threads read neighbouring
// shared-memory words and write neighbouring outputs).

#define TM 64
#define TN 64
#define TK 16

struct WeightF32 {
    const float* w;
    int in;
    __device__ float operator()(int o, int k) const { return w[(size_t)o * in + k]; }
};

// Q8_0 weights dequantised while they are staged: F32 math, int8 reads from HBM.
struct WeightQ8 {
    const int8_t* q;
    const float* scales;
    int in, groupSize;
    __device__ float operator()(int o, int k) const {
        return (float)q[(size_t)o * in + k] * scales[(size_t)o * (in / groupSize) + k / groupSize];
    }
};

template <typename W>
__device__ __forceinline__ void gemm_tiled(float* out, const float* x, const W& weight, int rows, int in, int outDim) {
    __shared__ float xs[TK][TM + 4];  // xs[k][r]: k-major so the inner loop reads rows of it
    __shared__ float ws[TK][TN + 4];
    int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    int r0 = blockIdx.y * TM, o0 = blockIdx.x * TN;
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < in; k0 += TK) {
        // 64 x 16 of each operand, 4 elements per thread; consecutive threads take consecutive k
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int e = tid + j * 256, r = e >> 4, k = e & 15, gk = k0 + k;
            int gr = r0 + r, go = o0 + r;
            xs[k][r] = (gr < rows && gk < in) ? x[(size_t)gr * in + gk] : 0.0f;
            ws[k][r] = (go < outDim && gk < in) ? weight(go, gk) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < TK; k++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = xs[k][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = ws[k][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int r = r0 + ty + 16 * i;
        if (r >= rows) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int o = o0 + tx + 16 * j;
            if (o < outDim) out[(size_t)r * outDim + o] = acc[i][j];
        }
    }
}

// Launch: grid = (ceil(outDim / 64), ceil(rows / 64)), block = 256, dynamic shared memory = 0.
extern "C" __global__ void gemm_f32(float* out, const float* x, const float* w, int rows, int in, int outDim) {
    gemm_tiled(out, x, WeightF32{w, in}, rows, in, outDim);
}

// Launch: as gemm_f32. groupSize divides in.
extern "C" __global__ void gemm_q8_0(float* out, const float* x, const int8_t* q, const float* scales, int rows,
                                     int in, int outDim, int groupSize) {
    gemm_tiled(out, x, WeightQ8{q, scales, in, groupSize}, rows, in, outDim);
}

// ---------------------------------------------------------------------------------------------
// Tensor-core GEMM for BF16 / F16 weights (wmma 16x16x16, F32 accumulate). x must first be
// converted to the weights' format (convert.cu). Passing xLo (the residual of the split
// conversion) as well adds x_lo * w to every product, recovering F32-level accuracy for twice
// the tensor work; xLo = NULL gives the plain, faster, 16-bit-activation product.
//
// Block tile 64 x 64, k step 32, 4 warps in a 2 x 2 grid each owning a 32 x 32 quarter
// (2 x 2 fragments). Tiles are copied with 16-byte loads when a chunk of 8 lies entirely inside
// the matrix and in % 8 == 0 (alignment), element by element with zero padding otherwise.
// Results go through shared memory so partial edge tiles can be written with guards.

#define WM 64
#define WN 64
#define WK 32
#define WPAD 8  // row stride 40 halves = 80 bytes: staggers banks, keeps every fragment 32-byte aligned

namespace wmma = nvcuda::wmma;

// Copies a 64 x 32 tile (rows r0.., columns k0..) of a [nRows, in] 16-bit matrix into dst[64][WK + WPAD].
__device__ __forceinline__ void load_tile16(uint16_t (*dst)[WK + WPAD], const uint16_t* src, int r0, int nRows,
                                            int k0, int in) {
#pragma unroll
    for (int j = 0; j < 2; j++) {
        int c = threadIdx.x + j * 128, r = c >> 2, kc = (c & 3) * 8;
        int gr = r0 + r, gk = k0 + kc;
        const uint16_t* s = src + (size_t)gr * in + gk;
        if (gr < nRows && gk + 8 <= in && (in & 7) == 0) {
            *(uint4*)&dst[r][kc] = *(const uint4*)s;
        } else {
#pragma unroll
            for (int e = 0; e < 8; e++) dst[r][kc + e] = (gr < nRows && gk + e < in) ? s[e] : (uint16_t)0;
        }
    }
}

template <typename T>
__device__ __forceinline__ void gemm_wmma(float* out, const uint16_t* xHi, const uint16_t* xLo, const uint16_t* w,
                                          int rows, int in, int outDim) {
    __shared__ __align__(32) uint16_t ah[WM][WK + WPAD];
    __shared__ __align__(32) uint16_t al[WM][WK + WPAD];
    __shared__ __align__(32) uint16_t bs[WN][WK + WPAD];
    __shared__ __align__(32) float cs[WM][WN + 4];
    int warp = threadIdx.x >> 5, wr = (warp >> 1) * 32, wc = (warp & 1) * 32;
    int r0 = blockIdx.y * WM, o0 = blockIdx.x * WN;
    bool split = xLo != nullptr;

    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);

    for (int k0 = 0; k0 < in; k0 += WK) {
        load_tile16(ah, xHi, r0, rows, k0, in);
        if (split) load_tile16(al, xLo, r0, rows, k0, in);
        load_tile16(bs, w, o0, outDim, k0, in);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < WK; kk += 16) {
            // B(k, n) = w[n, k]: the [n][k] tile is B in column-major order
            wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> b[2];
#pragma unroll
            for (int j = 0; j < 2; j++) wmma::load_matrix_sync(b[j], (const T*)&bs[wc + 16 * j][kk], WK + WPAD);
#pragma unroll
            for (int i = 0; i < 2; i++) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
                wmma::load_matrix_sync(a, (const T*)&ah[wr + 16 * i][kk], WK + WPAD);
#pragma unroll
                for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], a, b[j], acc[i][j]);
                if (split) {
                    wmma::load_matrix_sync(a, (const T*)&al[wr + 16 * i][kk], WK + WPAD);
#pragma unroll
                    for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], a, b[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 2; j++)
            wmma::store_matrix_sync(&cs[wr + 16 * i][wc + 16 * j], acc[i][j], WN + 4, wmma::mem_row_major);
    __syncthreads();
    for (int e = threadIdx.x; e < WM * WN; e += blockDim.x) {
        int r = e / WN, o = e - r * WN, gr = r0 + r, go = o0 + o;
        if (gr < rows && go < outDim) out[(size_t)gr * outDim + go] = cs[r][o];
    }
}

// xHi / xLo: x converted by f32_to_bf16_split_kernel (or f32_to_bf16_kernel with xLo = NULL).
// Launch: grid = (ceil(outDim / 64), ceil(rows / 64)), block = 128, dynamic shared memory = 0.
extern "C" __global__ void gemm_bf16(float* out, const uint16_t* xHi, const uint16_t* xLo, const uint16_t* w,
                                     int rows, int in, int outDim) {
    gemm_wmma<__nv_bfloat16>(out, xHi, xLo, w, rows, in, outDim);
}

// As gemm_bf16 with F16 operands (x from f32_to_f16_split_kernel / f32_to_f16_kernel).
extern "C" __global__ void gemm_f16(float* out, const uint16_t* xHi, const uint16_t* xLo, const uint16_t* w,
                                    int rows, int in, int outDim) {
    gemm_wmma<__half>(out, xHi, xLo, w, rows, in, outDim);
}

// Causal multi-head attention over one layer's KV cache, with grouped-query heads.

#include "common.cuh"

#define ATTN_THREADS 256

// q and out: [rows, nHeads * headDim]; keys and values: [seqLen, kvDim], kvDim = nKvHeads * headDim
// (position-major, so one position's key head is headDim contiguous floats). Row t sits at position
// startPos + t and sees cache positions 0 .. startPos + t. Query head h reads KV head
// h / (nHeads / nKvHeads). Where positions and sequences are given (a batched decode step: rows of
// different sequences), row t sits at positions[t] of the cache that starts sequences[t] *
// sequenceStride floats after keys (and values).
//
// One block per (head, row). Scores live in shared memory: 1. one warp per position computes
// q . k[p] (lanes split headDim, so a warp reads one contiguous key row), 2. max-subtracted softmax
// over the block, 3. the weighted sum of values, where the block splits into
// groups = blockDim / headDim groups of headDim threads, each group summing every groups-th
// position, then the partial sums are added.
//
// Launch: grid = (nHeads, rows), block = 256 (ATTN_THREADS),
//   dynamic shared memory = (longest row's positions + headDim + 256) * 4 bytes
//   (scores for the longest row, the query vector, the group partial sums); startPos + rows positions
//   for a prompt, the largest positions[t] + 1 for a batched step.
//   Above 48 KiB the host must raise CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (the wrapper does).
extern "C" __global__ void attention(float* out, const float* q, const float* keys, const float* values,
                                     int rows, int nHeads, int nKvHeads, int headDim, int startPos,
                                     const int* rowPositions, const int* sequences, long long sequenceStride) {
    extern __shared__ float smem[];
    __shared__ float scratch[32];
    int h = blockIdx.x, t = blockIdx.y;
    if (t >= rows) return;  // uniform per block: no barrier is skipped by part of it
    int positions = (rowPositions ? rowPositions[t] : startPos + t) + 1;
    if (sequences) {
        keys += (size_t)sequences[t] * sequenceStride;
        values += (size_t)sequences[t] * sequenceStride;
    }
    int kvDim = nKvHeads * headDim;
    int kvHead = h / (nHeads / nKvHeads);
    float* scores = smem;
    float* qs = smem + positions;
    float* partial = qs + headDim;

    const float* qrow = q + (size_t)t * nHeads * headDim + (size_t)h * headDim;
    for (int i = threadIdx.x; i < headDim; i += blockDim.x) qs[i] = qrow[i];
    __syncthreads();

    // the CPU multiplies by the float reciprocal of sqrt(headDim) computed in double
    float scale = (float)(1.0 / sqrt((double)headDim));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const float* kbase = keys + (size_t)kvHead * headDim;
    for (int p = warp; p < positions; p += warps) {
        const float* k = kbase + (size_t)p * kvDim;
        float d = 0.0f;
        for (int i = lane; i < headDim; i += 32) d += qs[i] * k[i];
        d = warp_sum(d);
        if (lane == 0) scores[p] = d * scale;
    }
    __syncthreads();

    float inv = 1.0f / block_exp_in_place(scores, positions, scratch);

    float* orow = out + (size_t)t * nHeads * headDim + (size_t)h * headDim;
    const float* vbase = values + (size_t)kvHead * headDim;
    int groups = headDim <= (int)blockDim.x ? blockDim.x / headDim : 1;
    if (groups == 1) {
        for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
            float acc = 0.0f;
            for (int p = 0; p < positions; p++) acc += scores[p] * vbase[(size_t)p * kvDim + d];
            orow[d] = acc * inv;
        }
        return;
    }
    int g = threadIdx.x / headDim, d = threadIdx.x - g * headDim;
    if (g < groups) {
        float acc = 0.0f;
        for (int p = g; p < positions; p += groups) acc += scores[p] * vbase[(size_t)p * kvDim + d];
        partial[threadIdx.x] = acc;
    }
    __syncthreads();
    if (threadIdx.x < headDim) {
        float acc = 0.0f;
        for (int j = 0; j < groups; j++) acc += partial[j * headDim + threadIdx.x];
        orow[threadIdx.x] = acc * inv;
    }
}

// A batched decode step's keys and values into the caches: row t of k and v [rows, kvDim] goes to
// position positions[t] of the cache that starts sequences[t] * sequenceStride floats after keys
// (and values). One launch instead of two copies per row.
// Launch: grid = (ceil(kvDim / 256), rows), block = 256, dynamic shared memory = 0.
extern "C" __global__ void kv_store(float* keys, float* values, const float* k, const float* v, const int* positions,
                                    const int* sequences, long long sequenceStride, int rows, int kvDim) {
    int i = blockIdx.x * blockDim.x + threadIdx.x, t = blockIdx.y;
    if (i >= kvDim || t >= rows) return;
    size_t dst = (size_t)sequences[t] * sequenceStride + (size_t)positions[t] * kvDim + i;
    keys[dst] = k[(size_t)t * kvDim + i];
    values[dst] = v[(size_t)t * kvDim + i];
}

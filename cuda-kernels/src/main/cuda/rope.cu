// Rotary position embedding, in place.

#include "common.cuh"

// x is [rows, nHeads * headDim]; row t is at position startPos + t, or positions[t] where that array is
// given (a batched decode step: rows of different sequences at their own positions). Pair i of each head
// (i < headDim / 2) rotates by angle = pos * freq_i, freq_i = 1 / theta^(2i / headDim).
// The arithmetic mirrors the CPU's Rope exactly: the exponent is a float, pow runs in double and is
// cast to float, the angle is a float product and cos/sin run in double on that float angle, so
// both sides rotate by bit-identical factors.
// rotateHalf = 0: pairs (v[2i], v[2i+1]) (Meta / llama2.c); 1: pairs (v[i], v[i + headDim/2]) (Hugging Face).
// Launch: grid = (ceil(nHeads * headDim / 2 / 128), rows), block = 128, dynamic shared memory = 0.
extern "C" __global__ void rope(float* x, int rows, int nHeads, int headDim, int startPos, const int* positions, float theta,
                                int rotateHalf) {
    int half = headDim / 2;
    int p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= nHeads * half || (int)blockIdx.y >= rows) return;
    int t = blockIdx.y, h = p / half, i = p - h * half;
    float freq = (float)(1.0 / pow((double)theta, (double)((2 * i) / (float)headDim)));
    float angle = (float)(positions ? positions[t] : startPos + t) * freq;
    float c = (float)cos((double)angle), s = (float)sin((double)angle);
    float* v = x + (size_t)t * nHeads * headDim + (size_t)h * headDim;
    int ia = rotateHalf ? i : 2 * i, ib = rotateHalf ? i + half : 2 * i + 1;
    float a = v[ia], b = v[ib];
    // unfused products, as Java computes them
    v[ia] = __fsub_rn(__fmul_rn(a, c), __fmul_rn(b, s));
    v[ib] = __fadd_rn(__fmul_rn(a, s), __fmul_rn(b, c));
}

package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.ceilDiv;
import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.nullable;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * gemm.cu: out[r, o] = sum_i x[r, i] * w[o, i], x [rows, in], w [outDim, in], out [rows, outDim]; the
 * fallback when cuBLAS is unavailable. Every kernel computes a 64 x 64 output tile per block.
 */
public final class GemmKernels {
    public static final String MODULE = "gemm";
    static final List<String> FUNCTIONS = List.of("gemm_f32", "gemm_q8_0", "gemm_bf16", "gemm_f16");
    private static final int TILE = 64, CUDA_CORE_BLOCK = 256, TENSOR_CORE_BLOCK = 128;

    private final Kernel f32, q8, bf16, f16;

    public GemmKernels(CUmodule module) {
        f32 = Kernel.of(module, "gemm_f32");
        q8 = Kernel.of(module, "gemm_q8_0");
        bf16 = Kernel.of(module, "gemm_bf16");
        f16 = Kernel.of(module, "gemm_f16");
    }

    /** F32 x, F32 w. */
    public void gemmF32(CUdeviceptr out, CUdeviceptr x, CUdeviceptr w, int rows, int in, int outDim, CUstream stream) {
        if (rows == 0 || outDim == 0) return;
        f32.launch(ceilDiv(outDim, TILE), ceilDiv(rows, TILE), CUDA_CORE_BLOCK, 0, stream,
                ptr(out), ptr(x), ptr(w), i32(rows), i32(in), i32(outDim));
    }

    /** F32 x, Q8_0 w (int8 q, one F32 scale per groupSize values; groupSize divides in). */
    public void gemmQ8(CUdeviceptr out, CUdeviceptr x, CUdeviceptr q, CUdeviceptr scales, int rows, int in, int outDim,
            int groupSize, CUstream stream) {
        if (in % groupSize != 0) throw new IllegalArgumentException("group size " + groupSize + " does not divide " + in);
        if (rows == 0 || outDim == 0) return;
        q8.launch(ceilDiv(outDim, TILE), ceilDiv(rows, TILE), CUDA_CORE_BLOCK, 0, stream,
                ptr(out), ptr(x), ptr(q), ptr(scales), i32(rows), i32(in), i32(outDim), i32(groupSize));
    }

    /**
     * BF16 tensor cores. xHi (and xLo) come from {@link ConvertKernels#f32ToBf16Split} (accurate: two
     * MMAs per step) or xHi alone from {@link ConvertKernels#f32ToBf16} with xLo null (faster, x rounded to BF16).
     */
    public void gemmBf16(CUdeviceptr out, CUdeviceptr xHi, CUdeviceptr xLo, CUdeviceptr w, int rows, int in, int outDim,
            CUstream stream) {
        tensorCore(bf16, out, xHi, xLo, w, rows, in, outDim, stream);
    }

    /** As {@link #gemmBf16} with F16 operands ({@link ConvertKernels#f32ToF16Split} / {@link ConvertKernels#f32ToF16}). */
    public void gemmF16(CUdeviceptr out, CUdeviceptr xHi, CUdeviceptr xLo, CUdeviceptr w, int rows, int in, int outDim,
            CUstream stream) {
        tensorCore(f16, out, xHi, xLo, w, rows, in, outDim, stream);
    }

    private static void tensorCore(Kernel k, CUdeviceptr out, CUdeviceptr xHi, CUdeviceptr xLo, CUdeviceptr w, int rows,
            int in, int outDim, CUstream stream) {
        if (rows == 0 || outDim == 0) return;
        k.launch(ceilDiv(outDim, TILE), ceilDiv(rows, TILE), TENSOR_CORE_BLOCK, 0, stream,
                ptr(out), ptr(xHi), nullable(xLo), ptr(w), i32(rows), i32(in), i32(outDim));
    }
}

package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.ceilDiv;
import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * matvec.cu: out[r, o] = sum_i w[o, i] * x[r, i] for a few input rows (decoding), w [outDim, in]. One
 * warp per output row, 8 rows per 256-thread block, one grid row per input row. Device pointers must
 * be 16-byte aligned (cuMemAlloc's are).
 */
public final class MatVecKernels {
    public static final String MODULE = "matvec";
    static final List<String> FUNCTIONS = List.of("matvec_f32", "matvec_bf16", "matvec_f16", "matvec_q8_0");
    private static final int BLOCK = 256, ROWS_PER_BLOCK = BLOCK / 32;

    private final Kernel f32, bf16, f16, q8;

    public MatVecKernels(CUmodule module) {
        f32 = Kernel.of(module, "matvec_f32");
        bf16 = Kernel.of(module, "matvec_bf16");
        f16 = Kernel.of(module, "matvec_f16");
        q8 = Kernel.of(module, "matvec_q8_0");
    }

    public void matvecF32(CUdeviceptr out, CUdeviceptr w, CUdeviceptr x, int rows, int outDim, int in, CUstream stream) {
        run(f32, out, w, x, rows, outDim, in, stream);
    }

    /** w holds BF16 bits. */
    public void matvecBf16(CUdeviceptr out, CUdeviceptr w, CUdeviceptr x, int rows, int outDim, int in, CUstream stream) {
        run(bf16, out, w, x, rows, outDim, in, stream);
    }

    /** w holds F16 bits. */
    public void matvecF16(CUdeviceptr out, CUdeviceptr w, CUdeviceptr x, int rows, int outDim, int in, CUstream stream) {
        run(f16, out, w, x, rows, outDim, in, stream);
    }

    /** Q8_0: int8 values q, one F32 scale per groupSize consecutive values; groupSize divides in. */
    public void matvecQ8(CUdeviceptr out, CUdeviceptr q, CUdeviceptr scales, CUdeviceptr x, int rows, int outDim, int in,
            int groupSize, CUstream stream) {
        if (in % groupSize != 0) throw new IllegalArgumentException("group size " + groupSize + " does not divide " + in);
        if (outDim == 0 || rows == 0) return;
        q8.launch(ceilDiv(outDim, ROWS_PER_BLOCK), rows, BLOCK, 0, stream,
                ptr(out), ptr(q), ptr(scales), ptr(x), i32(outDim), i32(in), i32(groupSize));
    }

    private static void run(Kernel k, CUdeviceptr out, CUdeviceptr w, CUdeviceptr x, int rows, int outDim, int in, CUstream stream) {
        if (outDim == 0 || rows == 0) return;
        k.launch(ceilDiv(outDim, ROWS_PER_BLOCK), rows, BLOCK, 0, stream, ptr(out), ptr(w), ptr(x), i32(outDim), i32(in));
    }
}

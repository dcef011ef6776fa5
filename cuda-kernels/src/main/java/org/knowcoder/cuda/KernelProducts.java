package org.knowcoder.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.knowcoder.cuda.kernels.ConvertKernels;
import org.knowcoder.cuda.kernels.GemmKernels;
import org.knowcoder.tensor.DType;

/** Matrix products on our own kernels: tiled F32 and Q8_0, tensor cores (hi + lo halves of x) for BF16 and F16. */
final class KernelProducts implements MatrixProducts {
    private final GemmKernels gemm;
    private final ConvertKernels convert;
    private final HalfScratch halves = new HalfScratch();

    KernelProducts(GemmKernels gemm, ConvertKernels convert) {
        this.gemm = gemm;
        this.convert = convert;
    }

    @Override
    public String name() {
        return "own GEMM kernels";
    }

    @Override
    public void multiply(CudaBuffer w, CUdeviceptr x, int rows, CUdeviceptr out, CUstream stream) {
        int in = w.cols, outDim = Math.toIntExact(w.rows);
        switch (w.dtype) {
            case F32 -> gemm.gemmF32(out, x, w.data, rows, in, outDim, stream);
            case Q8_0 -> gemm.gemmQ8(out, x, w.data, w.scales, rows, in, outDim, w.groupSize, stream);
            case BF16, F16 -> {
                halves.split(convert, w.dtype, x, (long) rows * in, stream);
                if (w.dtype == DType.BF16) gemm.gemmBf16(out, halves.hi(), halves.lo(), w.data, rows, in, outDim, stream);
                else gemm.gemmF16(out, halves.hi(), halves.lo(), w.data, rows, in, outDim, stream);
            }
        }
    }

    @Override
    public void close() {
        halves.close();
    }
}

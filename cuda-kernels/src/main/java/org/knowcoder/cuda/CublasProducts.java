package org.knowcoder.cuda;

import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;
import org.knowcoder.cuda.kernels.ConvertKernels;
import org.knowcoder.tensor.DType;

/**
 * Matrix products through cuBLAS. Row-major out[rows, outDim] = x[rows, in] w^T is, read
 * column-major, out^T = w x^T with w an [in, outDim] column-major matrix transposed: one GEMM with
 * op(A) = T, lda = ldb = in, ldc = outDim. BF16 and F16 weights multiply the hi and lo halves of x
 * (two GEMMs, the second accumulating), as our own kernels do; Q8_0 has no cuBLAS type and takes them.
 */
final class CublasProducts implements MatrixProducts {
    private static final Pointer ONE = Pointer.to(new float[] {1f}), ZERO = Pointer.to(new float[] {0f});

    private final cublasHandle handle;
    private final ConvertKernels convert;
    private final KernelProducts fallback;
    private final HalfScratch halves = new HalfScratch();

    private CublasProducts(cublasHandle handle, ConvertKernels convert, KernelProducts fallback) {
        this.handle = handle;
        this.convert = convert;
        this.fallback = fallback;
    }

    /**
     * cuBLAS on {@code stream}, or null when libcublas.so.12 cannot be loaded (a machine with another
     * CUDA major version) or refuses to start; the caller then uses {@code fallback} alone.
     */
    static CublasProducts tryOpen(CUstream stream, ConvertKernels convert, KernelProducts fallback) {
        try {
            JCublas2.setExceptionsEnabled(true);
            cublasHandle handle = new cublasHandle();
            JCublas2.cublasCreate(handle);
            JCublas2.cublasSetStream(handle, new cudaStream_t(stream));
            return new CublasProducts(handle, convert, fallback);
        } catch (LinkageError | RuntimeException e) {
            System.err.println("cuBLAS unavailable (" + CudaDevice.firstLine(e.getMessage()) + "); using our own GEMM kernels");
            return null;
        }
    }

    @Override
    public String name() {
        return "cuBLAS";
    }

    @Override
    public void multiply(CudaBuffer w, CUdeviceptr x, int rows, CUdeviceptr out, CUstream stream) {
        int in = w.cols, outDim = Math.toIntExact(w.rows);
        switch (w.dtype) {
            case F32 -> JCublas2.cublasSgemm(handle, cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, outDim, rows, in,
                    ONE, w.data, in, x, in, ZERO, out, outDim);
            case BF16, F16 -> {
                halves.split(convert, w.dtype, x, (long) rows * in, stream);
                halfGemm(w, w.dtype == DType.BF16 ? cudaDataType.CUDA_R_16BF : cudaDataType.CUDA_R_16F, rows, out);
            }
            case Q8_0 -> fallback.multiply(w, x, rows, out, stream);
        }
    }

    /** out = w hi^T + w lo^T with 16-bit operands and F32 accumulation. */
    private void halfGemm(CudaBuffer w, int type, int rows, CUdeviceptr out) {
        int in = w.cols, outDim = Math.toIntExact(w.rows);
        JCublas2.cublasGemmEx(handle, cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, outDim, rows, in,
                ONE, w.data, type, in, halves.hi(), type, in, ZERO, out, cudaDataType.CUDA_R_32F, outDim,
                cublasComputeType.CUBLAS_COMPUTE_32F, cublasGemmAlgo.CUBLAS_GEMM_DEFAULT);
        JCublas2.cublasGemmEx(handle, cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, outDim, rows, in,
                ONE, w.data, type, in, halves.lo(), type, in, ONE, out, cudaDataType.CUDA_R_32F, outDim,
                cublasComputeType.CUBLAS_COMPUTE_32F, cublasGemmAlgo.CUBLAS_GEMM_DEFAULT);
    }

    @Override
    public void close() {
        halves.close();
        JCublas2.cublasDestroy(handle);
    }
}

package org.knowcoder.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * out[rows, outDim] = x[rows, in] w^T for passes of several rows (prefill), x and out F32: through
 * cuBLAS where libcublas.so.12 loads ({@link CublasProducts}), through our own kernels otherwise
 * ({@link KernelProducts}). One input row (decoding) always takes the matvec kernels.
 */
interface MatrixProducts extends AutoCloseable {
    /** What computes the products, for the device's description. */
    String name();

    void multiply(CudaBuffer w, CUdeviceptr x, int rows, CUdeviceptr out, CUstream stream);

    @Override
    void close();
}

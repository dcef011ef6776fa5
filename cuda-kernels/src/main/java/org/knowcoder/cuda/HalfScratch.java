package org.knowcoder.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.knowcoder.cuda.kernels.ConvertKernels;
import org.knowcoder.tensor.DType;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

/**
 * Device memory for an F32 activation matrix split into 16-bit halves before a tensor-core product:
 * hi = x rounded to BF16 (or F16) and lo = the rounding error, also 16-bit, so hi + lo carries
 * about 16 bits of x's mantissa and products stay within 1e-4 of F32 ones. Grows on demand, never shrinks.
 */
final class HalfScratch implements AutoCloseable {
    private CUdeviceptr hi, lo;
    private long capacity;

    /**
     * Splits x[0..n) into hi and lo halves of {@code type} (BF16 or F16) on {@code stream}, making
     * room first; the products then read {@link #hi} and {@link #lo}.
     */
    void split(ConvertKernels convert, DType type, CUdeviceptr x, long n, CUstream stream) {
        reserve(n);
        switch (type) {
            case BF16 -> convert.f32ToBf16Split(hi, lo, x, n, stream);
            case F16 -> convert.f32ToF16Split(hi, lo, x, n, stream);
            default -> throw new IllegalArgumentException("no 16-bit halves of " + type);
        }
    }

    private void reserve(long n) {
        if (n <= capacity) return;
        close();
        hi = new CUdeviceptr();
        lo = new CUdeviceptr();
        cuMemAlloc(hi, n * 2);
        cuMemAlloc(lo, n * 2);
        capacity = n;
    }

    CUdeviceptr hi() {
        return hi;
    }

    CUdeviceptr lo() {
        return lo;
    }

    @Override
    public void close() {
        if (hi != null) cuMemFree(hi);
        if (lo != null) cuMemFree(lo);
        hi = lo = null;
        capacity = 0;
    }
}

package org.knowcoder.cuda;

import jcuda.driver.CUdeviceptr;

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

    /** Makes room for {@code n} values in each half. */
    void reserve(long n) {
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

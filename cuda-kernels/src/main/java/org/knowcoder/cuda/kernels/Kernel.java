package org.knowcoder.cuda.kernels;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;

/**
 * One kernel of a loaded module, with the launch plumbing every wrapper shares: parameter packing
 * (one {@link Pointer} per kernel argument, in the C signature's order) and error checking that
 * names the kernel.
 */
final class Kernel {
    /** Block size of the elementwise (grid-stride) kernels. */
    static final int ELEMENTWISE_BLOCK = 256;
    /** Grid cap of the grid-stride kernels: enough blocks to fill any GPU, each loops over the rest. */
    static final int MAX_GRID = 65536;
    /** Dynamic shared memory a kernel may use without opting in. */
    static final int DEFAULT_MAX_DYNAMIC_SHARED = 48 * 1024;

    final String name;
    private final CUfunction function;
    private int dynamicSharedLimit = DEFAULT_MAX_DYNAMIC_SHARED;

    private Kernel(String name, CUfunction function) {
        this.name = name;
        this.function = function;
    }

    static Kernel of(CUmodule module, String name) {
        CUfunction f = new CUfunction();
        check(cuModuleGetFunction(f, module, name), "cuModuleGetFunction " + name);
        return new Kernel(name, f);
    }

    void launch(int gridX, int gridY, int block, int sharedBytes, CUstream stream, Pointer... args) {
        if (sharedBytes > dynamicSharedLimit) {
            // opt in to more than 48 KiB (up to the device's limit; the driver rejects what it cannot give)
            check(cuFuncSetAttribute(function, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    sharedBytes), "cuFuncSetAttribute " + name);
            dynamicSharedLimit = sharedBytes;
        }
        check(cuLaunchKernel(function, gridX, gridY, 1, block, 1, 1, sharedBytes, stream, Pointer.to(args), null),
                "cuLaunchKernel " + name);
    }

    /** A grid-stride launch over n elements: grid = min(ceil(n / 256), 65536), block = 256. */
    void launchElementwise(long n, CUstream stream, Pointer... args) {
        if (n <= 0) return;
        launch(gridFor(n), 1, ELEMENTWISE_BLOCK, 0, stream, args);
    }

    static int gridFor(long n) {
        return (int) Math.min((n + ELEMENTWISE_BLOCK - 1) / ELEMENTWISE_BLOCK, MAX_GRID);
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static Pointer ptr(CUdeviceptr p) {
        return Pointer.to(p);
    }

    /** A device pointer argument that may be absent: the kernel receives NULL. */
    static Pointer nullable(CUdeviceptr p) {
        return Pointer.to(p == null ? new CUdeviceptr() : p);
    }

    static Pointer i32(int v) {
        return Pointer.to(new int[] {v});
    }

    static Pointer i64(long v) {
        return Pointer.to(new long[] {v});
    }

    static Pointer f32(float v) {
        return Pointer.to(new float[] {v});
    }

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) throw new CudaException(what + " failed: " + CUresult.stringFor(result));
    }
}

package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.f32;
import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/** norm.cu: RMSNorm, one 256-thread block per row. */
public final class NormKernels {
    public static final String MODULE = "norm";
    static final List<String> FUNCTIONS = List.of("rmsnorm");
    private static final int BLOCK = 256;

    private final Kernel rmsnorm;

    public NormKernels(CUmodule module) {
        rmsnorm = Kernel.of(module, "rmsnorm");
    }

    /** out[r] = weight * x[r] / sqrt(mean(x[r]^2) + eps) for rows of x [rows, dim]; out may be x. */
    public void rmsnorm(CUdeviceptr out, CUdeviceptr x, CUdeviceptr weight, int rows, int dim, float eps, CUstream stream) {
        if (rows == 0) return;
        rmsnorm.launch(rows, 1, BLOCK, 0, stream, ptr(out), ptr(x), ptr(weight), i32(rows), i32(dim), f32(eps));
    }
}

package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.i64;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/** convert.cu: F32 to and from BF16 / F16 (16-bit values are raw bits), n elements. */
public final class ConvertKernels {
    public static final String MODULE = "convert";
    static final List<String> FUNCTIONS = List.of("f32_to_bf16_kernel", "bf16_to_f32_kernel", "f32_to_f16_kernel",
            "f16_to_f32_kernel", "f32_to_bf16_split_kernel", "f32_to_f16_split_kernel");

    private final Kernel toBf16, fromBf16, toF16, fromF16, toBf16Split, toF16Split;

    public ConvertKernels(CUmodule module) {
        toBf16 = Kernel.of(module, "f32_to_bf16_kernel");
        fromBf16 = Kernel.of(module, "bf16_to_f32_kernel");
        toF16 = Kernel.of(module, "f32_to_f16_kernel");
        fromF16 = Kernel.of(module, "f16_to_f32_kernel");
        toBf16Split = Kernel.of(module, "f32_to_bf16_split_kernel");
        toF16Split = Kernel.of(module, "f32_to_f16_split_kernel");
    }

    /** out (BF16) = x (F32), round to nearest even, NaN kept. */
    public void f32ToBf16(CUdeviceptr out, CUdeviceptr x, long n, CUstream stream) {
        toBf16.launchElementwise(n, stream, ptr(out), ptr(x), i64(n));
    }

    public void bf16ToF32(CUdeviceptr out, CUdeviceptr x, long n, CUstream stream) {
        fromBf16.launchElementwise(n, stream, ptr(out), ptr(x), i64(n));
    }

    public void f32ToF16(CUdeviceptr out, CUdeviceptr x, long n, CUstream stream) {
        toF16.launchElementwise(n, stream, ptr(out), ptr(x), i64(n));
    }

    public void f16ToF32(CUdeviceptr out, CUdeviceptr x, long n, CUstream stream) {
        fromF16.launchElementwise(n, stream, ptr(out), ptr(x), i64(n));
    }

    /** x = hi + lo, both BF16: the operand pair of the accurate tensor-core GEMM. */
    public void f32ToBf16Split(CUdeviceptr hi, CUdeviceptr lo, CUdeviceptr x, long n, CUstream stream) {
        toBf16Split.launchElementwise(n, stream, ptr(hi), ptr(lo), ptr(x), i64(n));
    }

    /** x = hi + lo, both F16. */
    public void f32ToF16Split(CUdeviceptr hi, CUdeviceptr lo, CUdeviceptr x, long n, CUstream stream) {
        toF16Split.launchElementwise(n, stream, ptr(hi), ptr(lo), ptr(x), i64(n));
    }
}

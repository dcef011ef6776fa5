package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.ceilDiv;
import static org.knowcoder.cuda.kernels.Kernel.f32;
import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.nullable;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/** rope.cu: rotary position embedding in place. */
public final class RopeKernels {
    public static final String MODULE = "rope";
    static final List<String> FUNCTIONS = List.of("rope");
    private static final int BLOCK = 128;

    private final Kernel rope;

    public RopeKernels(CUmodule module) {
        rope = Kernel.of(module, "rope");
    }

    /**
     * Rotates x [rows, nHeads * headDim] in place, row t at position startPos + t, or at positions[t]
     * where that int32 array is given (null: none). rotateHalf false: adjacent pairs (v[2i], v[2i+1])
     * as llama2.c; true: (v[i], v[i + headDim/2]) as Hugging Face.
     */
    public void rope(CUdeviceptr x, int rows, int nHeads, int headDim, int startPos, CUdeviceptr positions, float theta,
            boolean rotateHalf, CUstream stream) {
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head size, got " + headDim);
        if (rows == 0) return;
        int pairs = nHeads * (headDim / 2);
        rope.launch(ceilDiv(pairs, BLOCK), rows, BLOCK, 0, stream,
                ptr(x), i32(rows), i32(nHeads), i32(headDim), i32(startPos), nullable(positions), f32(theta), i32(rotateHalf ? 1 : 0));
    }
}

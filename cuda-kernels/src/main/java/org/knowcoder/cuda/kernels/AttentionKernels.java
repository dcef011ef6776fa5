package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/** attention.cu: causal grouped-query attention over one layer's KV cache. */
public final class AttentionKernels {
    public static final String MODULE = "attention";
    static final List<String> FUNCTIONS = List.of("attention");
    /** Must equal ATTN_THREADS in attention.cu: the shared-memory size below reserves one float per thread. */
    private static final int BLOCK = 256;

    private final Kernel attention;

    public AttentionKernels(CUmodule module) {
        attention = Kernel.of(module, "attention");
    }

    /**
     * out, q: [rows, nHeads * headDim]; keys, values: [seqLen, nKvHeads * headDim] with positions
     * 0 .. startPos + rows - 1 filled. Row t (position startPos + t) attends to positions 0 .. startPos + t.
     */
    public void attention(CUdeviceptr out, CUdeviceptr q, CUdeviceptr keys, CUdeviceptr values, int rows, int nHeads,
            int nKvHeads, int headDim, int startPos, CUstream stream) {
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(nHeads + " query heads do not split into " + nKvHeads + " KV head groups");
        }
        if (rows == 0) return;
        // scores of the longest row + the query vector + one partial sum per thread
        int shared = (startPos + rows + headDim + BLOCK) * Float.BYTES;
        attention.launch(nHeads, rows, BLOCK, shared, stream, ptr(out), ptr(q), ptr(keys), ptr(values),
                i32(rows), i32(nHeads), i32(nKvHeads), i32(headDim), i32(startPos));
    }
}

package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.ceilDiv;
import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.i64;
import static org.knowcoder.cuda.kernels.Kernel.nullable;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/** attention.cu: causal grouped-query attention over one layer's KV cache, and the cache writes of a batched step. */
public final class AttentionKernels {
    public static final String MODULE = "attention";
    static final List<String> FUNCTIONS = List.of("attention", "kv_store");
    /** Must equal ATTN_THREADS in attention.cu: the shared-memory size below reserves one float per thread. */
    private static final int BLOCK = 256;

    private static final int STORE_BLOCK = 256;

    private final Kernel attention, kvStore;

    public AttentionKernels(CUmodule module) {
        attention = Kernel.of(module, "attention");
        kvStore = Kernel.of(module, "kv_store");
    }

    /**
     * out, q: [rows, nHeads * headDim]; keys, values: [seqLen, nKvHeads * headDim] with positions
     * 0 .. startPos + rows - 1 filled. Row t (position startPos + t) attends to positions 0 .. startPos + t.
     */
    public void attention(CUdeviceptr out, CUdeviceptr q, CUdeviceptr keys, CUdeviceptr values, int rows, int nHeads,
            int nKvHeads, int headDim, int startPos, CUstream stream) {
        launch(out, q, keys, values, rows, nHeads, nKvHeads, headDim, startPos, null, null, 0, startPos + rows, stream);
    }

    /**
     * {@link #attention} for rows of different sequences (int32 arrays of rows): row t sits at
     * positions[t] of the cache that starts sequences[t] * sequenceStride floats after keys (and
     * values); maxPositions bounds positions[t] + 1 (the scores' shared memory).
     */
    public void attentionAt(CUdeviceptr out, CUdeviceptr q, CUdeviceptr keys, CUdeviceptr values, int rows, int nHeads,
            int nKvHeads, int headDim, CUdeviceptr positions, CUdeviceptr sequences, long sequenceStride, int maxPositions,
            CUstream stream) {
        launch(out, q, keys, values, rows, nHeads, nKvHeads, headDim, 0, positions, sequences, sequenceStride, maxPositions, stream);
    }

    private void launch(CUdeviceptr out, CUdeviceptr q, CUdeviceptr keys, CUdeviceptr values, int rows, int nHeads, int nKvHeads,
            int headDim, int startPos, CUdeviceptr positions, CUdeviceptr sequences, long sequenceStride, int maxPositions,
            CUstream stream) {
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(nHeads + " query heads do not split into " + nKvHeads + " KV head groups");
        }
        if (rows == 0) return;
        // scores of the longest row + the query vector + one partial sum per thread
        int shared = (maxPositions + headDim + BLOCK) * Float.BYTES;
        attention.launch(nHeads, rows, BLOCK, shared, stream, ptr(out), ptr(q), ptr(keys), ptr(values),
                i32(rows), i32(nHeads), i32(nKvHeads), i32(headDim), i32(startPos), nullable(positions), nullable(sequences),
                i64(sequenceStride));
    }

    /**
     * Row t of k and v [rows, kvDim] into keys and values at positions[t] of the cache that starts
     * sequences[t] * sequenceStride floats after them (int32 arrays of rows).
     */
    public void kvStore(CUdeviceptr keys, CUdeviceptr values, CUdeviceptr k, CUdeviceptr v, CUdeviceptr positions,
            CUdeviceptr sequences, long sequenceStride, int rows, int kvDim, CUstream stream) {
        if (rows == 0) return;
        kvStore.launch(ceilDiv(kvDim, STORE_BLOCK), rows, STORE_BLOCK, 0, stream, ptr(keys), ptr(values), ptr(k), ptr(v),
                ptr(positions), ptr(sequences), i64(sequenceStride), i32(rows), i32(kvDim));
    }
}

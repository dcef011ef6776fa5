package org.knowcoder.cuda.kernels;

import static org.knowcoder.cuda.kernels.Kernel.ceilDiv;
import static org.knowcoder.cuda.kernels.Kernel.i32;
import static org.knowcoder.cuda.kernels.Kernel.i64;
import static org.knowcoder.cuda.kernels.Kernel.ptr;

import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/** elementwise.cu: embedding lookups, the SwiGLU gate and the residual add. */
public final class ElementwiseKernels {
    public static final String MODULE = "elementwise";
    static final List<String> FUNCTIONS =
            List.of("embedding_f32", "embedding_bf16", "embedding_f16", "embedding_q8_0", "silu_gate", "add");
    private static final int EMBED_BLOCK = 256;

    private final Kernel embedF32, embedBf16, embedF16, embedQ8, siluGate, add;

    public ElementwiseKernels(CUmodule module) {
        embedF32 = Kernel.of(module, "embedding_f32");
        embedBf16 = Kernel.of(module, "embedding_bf16");
        embedF16 = Kernel.of(module, "embedding_f16");
        embedQ8 = Kernel.of(module, "embedding_q8_0");
        siluGate = Kernel.of(module, "silu_gate");
        add = Kernel.of(module, "add");
    }

    /** out[t, :] = table[tokens[t], :] with table F32 [vocab, dim]; n tokens (at most 65535 per call). */
    public void embeddingF32(CUdeviceptr out, CUdeviceptr table, CUdeviceptr tokens, int n, int dim, CUstream stream) {
        embed(embedF32, out, table, tokens, n, dim, stream);
    }

    /** As {@link #embeddingF32} with a BF16 table. */
    public void embeddingBf16(CUdeviceptr out, CUdeviceptr table, CUdeviceptr tokens, int n, int dim, CUstream stream) {
        embed(embedBf16, out, table, tokens, n, dim, stream);
    }

    /** As {@link #embeddingF32} with an F16 table. */
    public void embeddingF16(CUdeviceptr out, CUdeviceptr table, CUdeviceptr tokens, int n, int dim, CUstream stream) {
        embed(embedF16, out, table, tokens, n, dim, stream);
    }

    /** As {@link #embeddingF32} with a Q8_0 table: int8 values q, one F32 scale per groupSize values. */
    public void embeddingQ8(CUdeviceptr out, CUdeviceptr q, CUdeviceptr scales, CUdeviceptr tokens, int n, int dim,
            int groupSize, CUstream stream) {
        if (n == 0) return;
        embedQ8.launch(ceilDiv(dim, EMBED_BLOCK), n, EMBED_BLOCK, 0, stream,
                ptr(out), ptr(q), ptr(scales), ptr(tokens), i32(n), i32(dim), i32(groupSize));
    }

    private static void embed(Kernel k, CUdeviceptr out, CUdeviceptr table, CUdeviceptr tokens, int n, int dim,
            CUstream stream) {
        if (n == 0) return;
        k.launch(ceilDiv(dim, EMBED_BLOCK), n, EMBED_BLOCK, 0, stream, ptr(out), ptr(table), ptr(tokens), i32(n), i32(dim));
    }

    /** g = g / (1 + exp(-g)) * u over n elements, in place. */
    public void siluGate(CUdeviceptr g, CUdeviceptr u, long n, CUstream stream) {
        siluGate.launchElementwise(n, stream, ptr(g), ptr(u), i64(n));
    }

    /** x += y over n elements. */
    public void add(CUdeviceptr x, CUdeviceptr y, long n, CUstream stream) {
        add.launchElementwise(n, stream, ptr(x), ptr(y), i64(n));
    }
}

package org.knowcoder.model.format;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.MappedFiles;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Reads llama2.c checkpoints, memory-mapped:
 * <ul>
 *   <li>version 0 (legacy): 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
 *       seq_len; a negative vocab_size means an unshared classifier), then F32 weights in the order
 *       tok_emb, attn_norm, wq, wk, wv, wo, ffn_norm, w1, w2, w3, final norm, two RoPE tables,
 *       [classifier];</li>
 *   <li>version 1: magic "ak42", int32 version, the 7 int32, a shared-classifier byte, padding to
 *       256 bytes; F32 norms first (attn, ffn, final), then tok_emb, wq, wk, wv, wo, w1, w2, w3, [classifier];</li>
 *   <li>version 2: as version 1 plus an int32 group size after the shared byte; the matrices are
 *       Q8_0, each written as its int8 values then its F32 scales.</li>
 * </ul>
 */
final class Llama2cCheckpoint {
    private Llama2cCheckpoint() {}

    static final int MAGIC = 0x616b3432; // "ak42" little-endian
    private static final int HEADER_V1 = 256;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static LlamaWeights load(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 28) throw new CheckpointFormatException(file, "truncated: " + size + " bytes is shorter than a llama2.c header");
            MemorySegment seg = MappedFiles.mapReadOnly(ch, size, arena);
            return seg.get(I32, 0) == MAGIC ? readVersioned(file, seg, arena) : readVersion0(file, seg, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static LlamaConfig config(Path file, MemorySegment seg, long at) throws CheckpointFormatException {
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) h[i] = seg.get(I32, at + 4L * i);
        try {
            return new LlamaConfig(h[0], h[1], h[2], h[3], h[4], Math.abs(h[5]), h[6], 1e-5f, 10000f);
        } catch (BadInputException e) {
            throw new CheckpointFormatException(file, "bad header: " + e.getMessage());
        }
    }

    private static LlamaWeights readVersion0(Path file, MemorySegment seg, Arena arena) throws CheckpointFormatException {
        LlamaConfig c = config(file, seg, 0);
        boolean shared = seg.get(I32, 20) > 0;
        long d = c.dim(), hd = c.hiddenDim(), kv = c.kvDim(), L = c.nLayers(), V = c.vocabSize();
        expectSize(file, seg, () -> 28 + 4 * sum(mul(V, d), mul(L, d), mul(L, d, d), mul(2, L, kv, d), mul(L, d, d), mul(L, d),
                mul(3, L, hd, d), d, mul(c.seqLen(), c.headDim()), shared ? 0 : mul(V, d)), c, "version 0");
        Cursor cur = new Cursor(seg, 28);
        Tensor emb = cur.f32("tok_embeddings", V, d);
        Tensor attnNorm = cur.f32("attention_norm", L, d);
        Tensor wq = cur.f32("wq", L, d, d), wk = cur.f32("wk", L, kv, d), wv = cur.f32("wv", L, kv, d);
        Tensor wo = cur.f32("wo", L, d, d);
        Tensor ffnNorm = cur.f32("ffn_norm", L, d);
        Tensor w1 = cur.f32("w1", L, hd, d), w2 = cur.f32("w2", L, d, hd), w3 = cur.f32("w3", L, hd, d);
        Tensor norm = cur.f32("norm", d);
        cur.skip((long) c.seqLen() * c.headDim() * 4); // legacy freq_cis_real and freq_cis_imag
        Tensor cls = shared ? emb : cur.f32("output", V, d);
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            layers.add(new LlamaWeights.Layer(row(attnNorm, l), slice(wq, l), slice(wk, l), slice(wv, l), slice(wo, l),
                    row(ffnNorm, l), slice(w1, l), slice(w2, l), slice(w3, l)));
        }
        return new LlamaWeights(c, emb, layers, norm.toFloats(), cls, false, arena);
    }

    private static LlamaWeights readVersioned(Path file, MemorySegment seg, Arena arena) throws CheckpointFormatException {
        if (seg.byteSize() < HEADER_V1) {
            throw new CheckpointFormatException(file, "truncated: " + seg.byteSize() + " bytes is shorter than the 256-byte header");
        }
        int version = seg.get(I32, 4);
        if (version != 1 && version != 2) {
            throw new CheckpointFormatException(file, "unsupported llama2.c version " + version + " (expected 0, 1 or 2)");
        }
        LlamaConfig c = config(file, seg, 8);
        boolean shared = seg.get(ValueLayout.JAVA_BYTE, 36) != 0;
        int group = version == 2 ? seg.get(I32, 37) : 0;
        long d = c.dim(), hd = c.hiddenDim(), kv = c.kvDim(), L = c.nLayers(), V = c.vocabSize();
        long[][] matrices = {{V, d}, {d, d}, {kv, d}, {kv, d}, {d, d}, {hd, d}, {d, hd}, {hd, d}};
        if (version == 2 && (group <= 0 || d % group != 0 || hd % group != 0)) {
            throw new CheckpointFormatException(file, "Q8_0 group size " + group + " must divide dim " + d + " and hidden_dim " + hd);
        }
        expectSize(file, seg, () -> {
            long total = HEADER_V1 + 4 * sum(mul(2, L, d), d); // the norms
            for (int m = 0; m < matrices.length; m++) {
                long count = m == 0 ? (shared ? 1 : 2) : L;
                total = sum(total, mul(count, bytes(mul(matrices[m][0], matrices[m][1]), version, group)));
            }
            return total;
        }, c, "version " + version);
        Cursor cur = new Cursor(seg, HEADER_V1);
        Tensor attnNorm = cur.f32("attention_norm", L, d), ffnNorm = cur.f32("ffn_norm", L, d), norm = cur.f32("norm", d);
        Tensor emb = cur.weight("tok_embeddings", version, group, V, d);
        Tensor[][] perLayer = new Tensor[7][(int) L];
        String[] names = {"wq", "wk", "wv", "wo", "w1", "w2", "w3"};
        for (int m = 0; m < 7; m++) {
            for (int l = 0; l < L; l++) {
                perLayer[m][l] = cur.weight("layers." + l + "." + names[m], version, group, matrices[m + 1][0], matrices[m + 1][1]);
            }
        }
        Tensor cls = shared ? emb : cur.weight("output", version, group, V, d);
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            layers.add(new LlamaWeights.Layer(row(attnNorm, l), perLayer[0][l], perLayer[1][l], perLayer[2][l], perLayer[3][l],
                    row(ffnNorm, l), perLayer[4][l], perLayer[5][l], perLayer[6][l]));
        }
        return new LlamaWeights(c, emb, layers, norm.toFloats(), cls, false, arena);
    }

    private static long bytes(long values, int version, int group) {
        return version == 2 ? sum(values, mul(values / group, 4)) : mul(values, 4);
    }

    /** Products and sums of header sizes, which a corrupt header can push past 64 bits. */
    private static long mul(long... factors) {
        long p = 1;
        for (long f : factors) p = Math.multiplyExact(p, f);
        return p;
    }

    private static long sum(long... terms) {
        long s = 0;
        for (long t : terms) s = Math.addExact(s, t);
        return s;
    }

    /**
     * Checks that the file is exactly as long as its header says. {@code expected} computes the
     * length with exact arithmetic; an overflow means the header's sizes cannot be right.
     */
    private static void expectSize(Path file, MemorySegment seg, LongSupplier expected, LlamaConfig c, String layout)
            throws CheckpointFormatException {
        String model = "a llama2.c " + layout + " file of dim " + c.dim() + ", hidden_dim " + c.hiddenDim() + ", "
                + c.nLayers() + " layers, " + c.nHeads() + "/" + c.nKvHeads() + " heads, vocab " + c.vocabSize()
                + ", seq_len " + c.seqLen();
        long bytes;
        try {
            bytes = expected.getAsLong();
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(file, "bad header: " + model + " would need more than 2^63 bytes; this one has "
                    + seg.byteSize());
        }
        if (seg.byteSize() != bytes) {
            throw new CheckpointFormatException(file, "expected " + bytes + " bytes for " + model + ", found " + seg.byteSize()
                    + (seg.byteSize() < bytes ? ": truncated, or the header sizes are wrong" : ": the header sizes do not match the file"));
        }
    }

    /** Layer {@code l} of a stacked [L, rows, cols] tensor. */
    private static Tensor slice(Tensor stacked, int l) {
        long[] s = stacked.shape();
        long bytes = s[1] * s[2] * 4;
        return Tensor.of(stacked.name() + "." + l, DType.F32, stacked.data().asSlice(l * bytes, bytes), s[1], s[2]);
    }

    private static float[] row(Tensor stacked, int l) {
        return slice(stacked.reshape(stacked.shape()[0], 1, stacked.shape()[1]), l).toFloats();
    }

    /** Reads consecutive tensors from a mapped file. */
    private static final class Cursor {
        private final MemorySegment seg;
        private long offset;

        Cursor(MemorySegment seg, long offset) {
            this.seg = seg;
            this.offset = offset;
        }

        Tensor f32(String name, long... shape) {
            long n = 1;
            for (long s : shape) n *= s;
            Tensor t = Tensor.of(name, DType.F32, seg.asSlice(offset, n * 4), shape);
            offset += n * 4;
            return t;
        }

        Tensor weight(String name, int version, int group, long rows, long cols) {
            if (version != 2) return f32(name, rows, cols);
            long n = rows * cols;
            MemorySegment q = seg.asSlice(offset, n);
            MemorySegment s = seg.asSlice(offset + n, n / group * 4);
            offset += n + n / group * 4;
            return Tensor.q8(name, q, s, group, rows, cols);
        }

        void skip(long bytes) {
            offset += bytes;
        }
    }
}

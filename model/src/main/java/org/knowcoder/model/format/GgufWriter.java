package org.knowcoder.model.format;

import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RopePermutation;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q4Quantizer;
import org.knowcoder.tensor.kernels.Q8Quantizer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a llama-architecture GGUF version 3 file, which {@link GgufCheckpoint} and llama.cpp read:
 * the {@code llama.*} metadata, any extra metadata the caller gives (the tokenizer's
 * {@code tokenizer.ggml.*} keys), then the tensors in llama.cpp's names, matrices in F32, F16, BF16
 * Q8_0, Q4_0 or Q4_K and norms in F32 (as llama.cpp's converter keeps them). Tensors stream to disk row by row;
 * the file is written atomically.
 *
 * <p>GGUF stores q/k rows in the adjacent-pair RoPE layout; weights loaded from Hugging Face
 * ({@link LlamaWeights#rotateHalfLayout()}) have those rows permuted back on the way out.
 */
public final class GgufWriter {
    private GgufWriter() {}

    /** One tensor of the file: a matrix (rows in {@code order} when non-null) or a norm vector. */
    private record Entry(String name, long[] shape, GgmlType type, Tensor matrix, int[] order, float[] vector) {
        long bytes() {
            long n = 1;
            for (long s : shape) n *= s;
            return n / type.blockSize * type.blockBytes;
        }
    }

    /**
     * Writes {@code w} to {@code file} with its matrices as {@code dtype}. Q8_0 quantizes in GGUF's
     * blocks of 32 with F16 scales (a Q8_0 source in groups of 32 is copied, its scales rounded to
     * F16); every row length must then be a multiple of 32. Q4_0 and Q4_K quantize with
     * {@link Q4Quantizer} (a source of that type is copied), rows multiples of 32 and 256.
     */
    public static void write(LlamaWeights w, Path file, DType dtype, Map<String, GgufValue> extraMetadata) throws IOException {
        GgmlType type = switch (dtype) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0 -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q4_K;
        };
        List<Entry> entries = entries(w, type);
        for (Entry e : entries) {
            if (e.shape()[e.shape().length - 1] % type.blockSize != 0) {
                throw new BadInputException("cannot write " + type + " GGUF: tensor " + e.name() + " has rows of "
                        + e.shape()[e.shape().length - 1] + " values, not a multiple of " + type + "'s block of " + type.blockSize);
            }
        }
        Map<String, GgufValue> metadata = metadata(w.config(), type);
        for (Map.Entry<String, GgufValue> e : extraMetadata.entrySet()) {
            if (metadata.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("metadata key " + e.getKey() + " given twice");
        }
        AtomicWrite.write(file, ch -> {
            TensorOutput out = new TensorOutput(ch);
            out.int32(GgufFile.MAGIC);
            out.int32(3);
            out.int64(entries.size());
            out.int64(metadata.size());
            for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
                string(out, e.getKey());
                out.int32(e.getValue().type().code());
                value(out, e.getValue().type(), e.getValue().value());
            }
            long offset = 0;
            for (Entry e : entries) {
                string(out, e.name());
                out.int32(e.shape().length);
                for (int i = e.shape().length - 1; i >= 0; i--) out.int64(e.shape()[i]); // innermost first
                out.int32(e.type().code);
                out.int64(offset);
                offset = align(offset + e.bytes());
            }
            out.zeros(align(out.position()) - out.position());
            long dataStart = out.position();
            for (Entry e : entries) {
                out.zeros(align(out.position() - dataStart) - (out.position() - dataStart));
                if (e.vector() != null) out.floats(e.vector(), DType.F32);
                else if (e.type() == GgmlType.Q8_0) q8Blocks(out, e.matrix(), e.order());
                else if (dtype.isQ4()) q4Blocks(out, e.matrix(), e.order(), dtype);
                else out.rows(e.matrix(), e.order(), dtype);
            }
            out.flush();
        });
    }

    private static long align(long n) {
        return (n + GgufFile.DEFAULT_ALIGNMENT - 1) / GgufFile.DEFAULT_ALIGNMENT * GgufFile.DEFAULT_ALIGNMENT;
    }

    /** The tensors in llama.cpp's names and order, q/k in adjacent-pair row order. */
    private static List<Entry> entries(LlamaWeights w, GgmlType type) {
        LlamaConfig c = w.config();
        int[] q = null, k = null;
        if (w.rotateHalfLayout()) {
            q = RopePermutation.toAdjacentPairs(c.nHeads(), c.headDim());
            k = RopePermutation.toAdjacentPairs(c.nKvHeads(), c.headDim());
        }
        List<Entry> list = new ArrayList<>();
        list.add(matrix(GgufTensorNames.EMBEDDING, w.tokenEmbedding(), type, null));
        for (int i = 0; i < c.nLayers(); i++) {
            LlamaWeights.Layer l = w.layer(i);
            list.add(vector(GgufTensorNames.attentionNorm(i), l.attentionNorm()));
            list.add(matrix(GgufTensorNames.wq(i), l.wq(), type, q));
            list.add(matrix(GgufTensorNames.wk(i), l.wk(), type, k));
            list.add(matrix(GgufTensorNames.wv(i), l.wv(), type, null));
            list.add(matrix(GgufTensorNames.wo(i), l.wo(), type, null));
            list.add(vector(GgufTensorNames.ffnNorm(i), l.ffnNorm()));
            list.add(matrix(GgufTensorNames.w1(i), l.w1(), type, null));
            list.add(matrix(GgufTensorNames.w2(i), l.w2(), type, null));
            list.add(matrix(GgufTensorNames.w3(i), l.w3(), type, null));
        }
        list.add(vector(GgufTensorNames.FINAL_NORM, w.finalNorm()));
        if (!w.sharedClassifier()) list.add(matrix(GgufTensorNames.CLASSIFIER, w.classifier(), type, null));
        return list;
    }

    private static Entry matrix(String name, Tensor t, GgmlType type, int[] order) {
        return new Entry(name, t.shape(), type, t, order, null);
    }

    private static Entry vector(String name, float[] v) {
        return new Entry(name, new long[] {v.length}, GgmlType.F32, null, null, v);
    }

    private static Map<String, GgufValue> metadata(LlamaConfig c, GgmlType type) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        m.put("general.alignment", GgufValue.uint32(GgufFile.DEFAULT_ALIGNMENT));
        m.put("general.file_type", GgufValue.uint32(type.fileType()));
        m.put("llama.context_length", GgufValue.uint32(c.seqLen()));
        m.put("llama.embedding_length", GgufValue.uint32(c.dim()));
        m.put("llama.block_count", GgufValue.uint32(c.nLayers()));
        m.put("llama.feed_forward_length", GgufValue.uint32(c.hiddenDim()));
        m.put("llama.rope.dimension_count", GgufValue.uint32(c.headDim()));
        m.put("llama.attention.head_count", GgufValue.uint32(c.nHeads()));
        m.put("llama.attention.head_count_kv", GgufValue.uint32(c.nKvHeads()));
        m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(c.normEps()));
        m.put("llama.rope.freq_base", GgufValue.float32(c.ropeTheta()));
        m.put("llama.vocab_size", GgufValue.uint32(c.vocabSize()));
        return m;
    }

    /**
     * A Q8_0 matrix as GGUF stores it: per block of 32 values an F16 scale then the 32 int8, rows in
     * {@code order}. A matrix not yet in groups of 32 is quantized into scratch memory first.
     */
    private static void q8Blocks(TensorOutput out, Tensor t, int[] order) throws IOException {
        int size = GgmlType.Q8_0.blockSize;
        try (Arena scratch = Arena.ofConfined()) {
            Tensor q = t.dtype() == DType.Q8_0 && t.groupSize() == size ? t : Q8Quantizer.quantize(t, size, true, scratch);
            long cols = q.cols();
            for (long r = 0; r < q.rows(); r++) {
                long src = order == null ? r : order[(int) r];
                for (long b = src * cols / size; b < (src + 1) * cols / size; b++) {
                    out.int16(Half.floatToF16(q.scale(b)));
                    out.bytes(q.data().asSlice(b * size, size));
                }
            }
        }
    }

    /** A Q4_0 or Q4_K matrix as GGUF blocks, rows in {@code order}, quantized into scratch memory first unless it is of that type. */
    private static void q4Blocks(TensorOutput out, Tensor t, int[] order, DType type) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            GgufQ4Blocks.write(out, t.dtype() == type ? t : Q4Quantizer.quantize(t, type, scratch), order);
        }
    }

    private static void string(TensorOutput out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.int64(b.length);
        out.bytes(b);
    }

    private static void value(TensorOutput out, GgufValue.Type type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.uint8((int) (long) (Long) v);
            case UINT16, INT16 -> out.int16((short) (long) (Long) v);
            case UINT32, INT32 -> out.int32((int) (long) (Long) v);
            case UINT64, INT64 -> out.int64((Long) v);
            case FLOAT32 -> out.int32(Float.floatToRawIntBits((float) (double) (Double) v));
            case FLOAT64 -> out.int64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> out.uint8((Boolean) v ? 1 : 0);
            case STRING -> string(out, (String) v);
            case ARRAY -> {
                GgufValue.Array a = (GgufValue.Array) v;
                out.int32(a.elementType().code());
                out.int64(a.items().size());
                for (Object item : a.items()) value(out, a.elementType(), item);
            }
        }
    }
}

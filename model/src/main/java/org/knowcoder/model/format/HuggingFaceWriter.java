package org.knowcoder.model.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RopePermutation;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a Hugging Face LlamaForCausalLM directory ({@code config.json} + {@code model.safetensors})
 * in F32 or BF16, which {@link HuggingFaceCheckpoint} and {@code transformers} read. Tensors stream
 * to disk row by row, so a 7B model needs no more than a row of heap. Both files are written
 * atomically.
 *
 * <p>Hugging Face stores q/k rows in the rotate-half RoPE layout; weights in the adjacent-pair layout
 * (llama2.c, or anything not loaded from Hugging Face) have those rows permuted on the way out.
 */
public final class HuggingFaceWriter {
    private HuggingFaceWriter() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor of the file: a matrix (rows in {@code order} when non-null) or a norm vector. */
    private record Entry(String name, long[] shape, Tensor matrix, int[] order, float[] vector) {
        static Entry matrix(String name, Tensor t, int[] order) {
            return new Entry(name, t.shape(), t, order, null);
        }

        static Entry vector(String name, float[] v) {
            return new Entry(name, new long[] {v.length}, null, null, v);
        }
    }

    public static void write(LlamaWeights w, Path dir, DType dtype) throws IOException {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("Hugging Face export writes F32 or BF16, not " + dtype);
        }
        List<Entry> entries = entries(w);
        byte[] header = SafetensorsWriter.header(entries.stream()
                .map(e -> new SafetensorsWriter.Spec(e.name(), e.shape())).toList(), dtype);
        AtomicWrite.write(dir.resolve("model.safetensors"), ch -> {
            TensorOutput out = new TensorOutput(ch);
            SafetensorsWriter.writeHeader(out, header);
            for (Entry e : entries) {
                if (e.vector() != null) out.floats(e.vector(), dtype);
                else out.rows(e.matrix(), e.order(), dtype);
            }
            out.flush();
        });
        byte[] config = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config(w, dtype));
        AtomicWrite.write(dir.resolve("config.json"), ch -> {
            TensorOutput out = new TensorOutput(ch);
            out.bytes(config);
            out.uint8('\n');
            out.flush();
        });
    }

    /** The tensors in LlamaForCausalLM naming and order, q/k in rotate-half row order. */
    private static List<Entry> entries(LlamaWeights w) {
        LlamaConfig c = w.config();
        int[] q = null, k = null;
        if (!w.rotateHalfLayout()) {
            q = RopePermutation.toRotateHalf(c.nHeads(), c.headDim());
            k = RopePermutation.toRotateHalf(c.nKvHeads(), c.headDim());
        }
        List<Entry> list = new ArrayList<>();
        list.add(Entry.matrix(HfTensorNames.EMBEDDING, w.tokenEmbedding(), null));
        for (int i = 0; i < c.nLayers(); i++) {
            LlamaWeights.Layer l = w.layer(i);
            list.add(Entry.vector(HfTensorNames.attentionNorm(i), l.attentionNorm()));
            list.add(Entry.matrix(HfTensorNames.wq(i), l.wq(), q));
            list.add(Entry.matrix(HfTensorNames.wk(i), l.wk(), k));
            list.add(Entry.matrix(HfTensorNames.wv(i), l.wv(), null));
            list.add(Entry.matrix(HfTensorNames.wo(i), l.wo(), null));
            list.add(Entry.vector(HfTensorNames.ffnNorm(i), l.ffnNorm()));
            list.add(Entry.matrix(HfTensorNames.w1(i), l.w1(), null));
            list.add(Entry.matrix(HfTensorNames.w3(i), l.w3(), null));
            list.add(Entry.matrix(HfTensorNames.w2(i), l.w2(), null));
        }
        list.add(Entry.vector(HfTensorNames.FINAL_NORM, w.finalNorm()));
        if (!w.sharedClassifier()) list.add(Entry.matrix(HfTensorNames.CLASSIFIER, w.classifier(), null));
        return list;
    }

    private static ObjectNode config(LlamaWeights w, DType dtype) {
        LlamaConfig c = w.config();
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("LlamaForCausalLM");
        n.put("model_type", "llama");
        n.put("hidden_size", c.dim());
        n.put("intermediate_size", c.hiddenDim());
        n.put("num_hidden_layers", c.nLayers());
        n.put("num_attention_heads", c.nHeads());
        n.put("num_key_value_heads", c.nKvHeads());
        n.put("vocab_size", c.vocabSize());
        n.put("max_position_embeddings", c.seqLen());
        // via the float's shortest decimal, so 1e-5f is written 1.0E-5 and not 9.999999747378752E-6
        n.put("rms_norm_eps", Double.parseDouble(Float.toString(c.normEps())));
        n.put("rope_theta", Double.parseDouble(Float.toString(c.ropeTheta())));
        n.put("hidden_act", "silu");
        n.put("tie_word_embeddings", w.sharedClassifier());
        n.put("torch_dtype", dtype == DType.BF16 ? "bfloat16" : "float32");
        n.put("bos_token_id", 1);
        n.put("eos_token_id", 2);
        return n;
    }
}

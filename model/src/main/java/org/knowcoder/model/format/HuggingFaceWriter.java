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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a Hugging Face LlamaForCausalLM directory ({@code config.json} + {@code model.safetensors})
 * in F32 or BF16, which {@link HuggingFaceCheckpoint} and {@code transformers} read. Tensors stream
 * to disk row by row, so a 7B model needs no more than a row of heap. Both files are written
 * atomically. ({@link RandomHfCheckpoint} writes its config.json here too.)
 *
 * <p>Hugging Face stores q/k rows in the rotate-half RoPE layout; weights in the adjacent-pair layout
 * (llama2.c, or anything not loaded from Hugging Face) have those rows permuted on the way out.
 */
public final class HuggingFaceWriter {
    private HuggingFaceWriter() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void write(LlamaWeights w, Path dir, DType dtype) throws IOException {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("Hugging Face export writes F32 or BF16, not " + dtype);
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors(w, dtype), dtype);
        writeConfig(dir, w.config(), w.sharedClassifier(), dtype);
    }

    /** {@code dir/config.json} of a LlamaForCausalLM of config {@code c} stored in {@code dtype}, written atomically. */
    static void writeConfig(Path dir, LlamaConfig c, boolean tied, DType dtype) throws IOException {
        AtomicWrite.write(dir.resolve("config.json"), (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config(c, tied, dtype)) + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The tensors in LlamaForCausalLM naming and order ({@link HfLayout}), q/k in rotate-half row order, as {@code dtype}. */
    private static List<StreamedTensor> tensors(LlamaWeights w, DType dtype) {
        LlamaConfig c = w.config();
        int[] q = null, k = null;
        if (!w.rotateHalfLayout()) {
            q = RopePermutation.toRotateHalf(c.nHeads(), c.headDim());
            k = RopePermutation.toRotateHalf(c.nKvHeads(), c.headDim());
        }
        List<StreamedTensor> list = new ArrayList<>();
        for (HfLayout.Part p : HfLayout.parts(c, w.sharedClassifier())) {
            LlamaWeights.Layer l = p.layer() < 0 ? null : w.layer(p.layer());
            list.add(switch (p.kind()) {
                case EMBEDDING -> matrix(p, w.tokenEmbedding(), null, dtype);
                case ATTENTION_NORM -> vector(p, l.attentionNorm(), dtype);
                case Q -> matrix(p, l.wq(), q, dtype);
                case K -> matrix(p, l.wk(), k, dtype);
                case V -> matrix(p, l.wv(), null, dtype);
                case O -> matrix(p, l.wo(), null, dtype);
                case FFN_NORM -> vector(p, l.ffnNorm(), dtype);
                case GATE -> matrix(p, l.w1(), null, dtype);
                case UP -> matrix(p, l.w3(), null, dtype);
                case DOWN -> matrix(p, l.w2(), null, dtype);
                case FINAL_NORM -> vector(p, w.finalNorm(), dtype);
                case CLASSIFIER -> matrix(p, w.classifier(), null, dtype);
            });
        }
        return list;
    }

    /** A matrix, its rows in {@code order} when non-null. */
    private static StreamedTensor matrix(HfLayout.Part p, Tensor t, int[] order, DType dtype) {
        return new StreamedTensor(p.name(), t.shape(), out -> out.rows(t, order, dtype));
    }

    private static StreamedTensor vector(HfLayout.Part p, float[] v, DType dtype) {
        return new StreamedTensor(p.name(), new long[] {v.length}, out -> out.floats(v, dtype));
    }

    private static ObjectNode config(LlamaConfig c, boolean tied, DType dtype) {
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
        n.put("tie_word_embeddings", tied);
        n.put("torch_dtype", switch (dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        });
        n.put("bos_token_id", 1);
        n.put("eos_token_id", 2);
        return n;
    }
}

package org.knowcoder.model.format;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a llama-architecture GGUF file: the {@code llama.*} metadata gives the config, the vocabulary
 * size comes from the token list, and the weights keep their file dtype (F32, F16 and BF16 mapped,
 * Q8_0 converted to the engine's layout, see {@link GgufFile}).
 *
 * <p>llama.cpp's converter stores q/k rows in the adjacent-pair RoPE layout of Meta's checkpoints
 * (it undoes Hugging Face's rotate-half permutation), which is the engine's own layout: the weights
 * are used as they are ({@code rotateHalfLayout} false).
 */
final class GgufCheckpoint {
    private GgufCheckpoint() {}

    static LlamaWeights load(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            GgufFile g = GgufFile.read(file, arena);
            LlamaConfig c = config(g);
            long d = c.dim(), V = c.vocabSize();
            Tensor emb = g.tensor(GgufTensorNames.EMBEDDING, V, d);
            List<LlamaWeights.Layer> layers = LayerTensors.GGUF.read(c, g::tensor);
            float[] norm = g.tensor(GgufTensorNames.FINAL_NORM, d).toFloats();
            Tensor cls = g.tensors().containsKey(GgufTensorNames.CLASSIFIER) ? g.tensor(GgufTensorNames.CLASSIFIER, V, d) : emb;
            return new LlamaWeights(c, emb, layers, norm, cls, false, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    static LlamaConfig config(GgufFile g) throws CheckpointFormatException {
        Path file = g.file();
        String arch = string(g, "general.architecture");
        if (!arch.equals("llama")) throw new CheckpointFormatException(file, "general.architecture is \"" + arch + "\"; this engine runs llama");
        checkImplemented(g);
        int heads = integer(g, "llama.attention.head_count");
        int dim = integer(g, "llama.embedding_length");
        try {
            LlamaConfig c = new LlamaConfig(dim, integer(g, "llama.feed_forward_length"), integer(g, "llama.block_count"), heads,
                    g.metadata().containsKey("llama.attention.head_count_kv") ? integer(g, "llama.attention.head_count_kv") : heads,
                    vocabSize(g, dim), integer(g, "llama.context_length"),
                    (float) number(g, "llama.attention.layer_norm_rms_epsilon"),
                    g.metadata().containsKey("llama.rope.freq_base") ? (float) number(g, "llama.rope.freq_base") : 10000f);
            GgufValue rope = g.metadata().get("llama.rope.dimension_count");
            if (rope != null && integer(g, "llama.rope.dimension_count") != c.headDim()) {
                throw new CheckpointFormatException(file, "llama.rope.dimension_count " + rope.value()
                        + " is not implemented (this engine rotates whole heads of " + c.headDim() + ")");
            }
            return c;
        } catch (BadInputException e) {
            throw new CheckpointFormatException(file, e.getMessage());
        }
    }

    /**
     * Settings that would change what the model computes and that the engine does not implement
     * (experts, scaled RoPE): ignored, they would give a model that runs and answers wrong.
     */
    private static void checkImplemented(GgufFile g) throws CheckpointFormatException {
        GgufValue experts = g.metadata().get("llama.expert_count");
        if (experts != null && experts.isInteger() && (Long) experts.value() > 0) {
            throw new CheckpointFormatException(g.file(), "llama.expert_count " + experts.value() + " is not implemented (mixture of experts)");
        }
        GgufValue scaling = g.metadata().get("llama.rope.scaling.type");
        if (scaling != null && !"none".equals(scaling.value())) {
            throw new CheckpointFormatException(g.file(), "llama.rope.scaling.type " + scaling.value() + " is not implemented");
        }
    }

    /** The length of the token list; without one, llama.vocab_size or the embedding's rows. */
    private static int vocabSize(GgufFile g, int dim) throws CheckpointFormatException {
        if (g.metadata().get("tokenizer.ggml.tokens") instanceof GgufValue v && v.value() instanceof GgufValue.Array a) return a.items().size();
        if (g.metadata().containsKey("llama.vocab_size")) return integer(g, "llama.vocab_size");
        GgufFile.TensorInfo emb = g.tensors().get(GgufTensorNames.EMBEDDING);
        if (emb == null || emb.dims().length != 2 || emb.dims()[0] != dim) {
            throw new CheckpointFormatException(g.file(), "missing metadata key tokenizer.ggml.tokens (the vocabulary)");
        }
        return Math.toIntExact(emb.dims()[1]);
    }

    private static GgufValue required(GgufFile g, String key) throws CheckpointFormatException {
        GgufValue v = g.metadata().get(key);
        if (v == null) throw new CheckpointFormatException(g.file(), "missing metadata key " + key);
        return v;
    }

    private static int integer(GgufFile g, String key) throws CheckpointFormatException {
        GgufValue v = required(g, key);
        if (!v.isInteger() || (Long) v.value() < 0 || (Long) v.value() > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(g.file(), "metadata key " + key + " is " + v.type() + " " + v.value()
                    + ", expected a non-negative integer");
        }
        return (int) (long) (Long) v.value();
    }

    private static double number(GgufFile g, String key) throws CheckpointFormatException {
        GgufValue v = required(g, key);
        if (v.value() instanceof Double x) return x;
        if (v.value() instanceof Long x) return x;
        throw new CheckpointFormatException(g.file(), "metadata key " + key + " is " + v.type() + ", expected a number");
    }

    private static String string(GgufFile g, String key) throws CheckpointFormatException {
        GgufValue v = required(g, key);
        if (!(v.value() instanceof String s)) throw new CheckpointFormatException(g.file(), "metadata key " + key + " is " + v.type() + ", expected a string");
        return s;
    }
}

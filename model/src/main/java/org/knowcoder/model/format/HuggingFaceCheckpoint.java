package org.knowcoder.model.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Hugging Face LlamaForCausalLM checkpoint: a directory with {@code config.json} and either
 * {@code model.safetensors} or the shards named by {@code model.safetensors.index.json}, or else the
 * same tensors in PyTorch's container ({@code pytorch_model.bin}, {@code pytorch_model.bin.index.json});
 * or one such file with {@code config.json} beside it. Weights stay memory-mapped in their file dtype
 * (F32, F16 or BF16).
 */
final class HuggingFaceCheckpoint {
    private HuggingFaceCheckpoint() {}

    /** The context of a config.json without max_position_embeddings. */
    private static final int DEFAULT_CONTEXT = 2048;

    public static LlamaWeights load(Path path) throws IOException {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        LlamaConfigJson cfg = readConfig(dir.resolve("config.json"));
        Arena arena = Arena.ofShared();
        try {
            Map<String, Tensor> tensors = new HashMap<>();
            Map<String, Path> origin = new HashMap<>();
            Container container = container(path);
            for (Path shard : shards(path, container)) {
                for (Map.Entry<String, Tensor> e : container.reader().read(shard, arena).entrySet()) {
                    tensors.put(e.getKey(), e.getValue());
                    origin.put(e.getKey(), shard);
                }
            }
            return assemble(cfg, new TensorSource(tensors, origin, path), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    record LlamaConfigJson(LlamaConfig config, boolean tied) {}

    /** A config.json's model config and whether its classifier is the embedding. */
    static LlamaConfigJson readConfig(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "missing; a Hugging Face checkpoint needs config.json beside its weights");
        }
        JsonNode n = readJson(file);
        checkImplemented(file, n);
        try {
            int heads = required(file, n, "num_attention_heads");
            LlamaConfig c = new LlamaConfig(required(file, n, "hidden_size"), required(file, n, "intermediate_size"),
                    required(file, n, "num_hidden_layers"), heads, n.path("num_key_value_heads").asInt(heads),
                    required(file, n, "vocab_size"), n.path("max_position_embeddings").asInt(DEFAULT_CONTEXT),
                    (float) n.path("rms_norm_eps").asDouble(1e-6), (float) n.path("rope_theta").asDouble(10000));
            return new LlamaConfigJson(c, n.path("tie_word_embeddings").asBoolean(false));
        } catch (BadInputException e) {
            throw new CheckpointFormatException(file, e.getMessage());
        }
    }

    /**
     * Refuses settings that change what the model computes in ways this engine does not implement
     * (another activation, scaled RoPE, biases, a sliding attention window...): ignored, they would
     * give a model that runs and answers wrong. The values that mean plain LLaMA pass.
     */
    private static void checkImplemented(Path file, JsonNode n) throws CheckpointFormatException {
        String type = n.path("model_type").asText("llama");
        // Mistral is LLaMA with a sliding attention window, which is checked below
        if (!type.equals("llama") && !type.equals("mistral")) unimplemented(file, "model_type", n, "llama or mistral");
        if (!n.path("hidden_act").asText("silu").equals("silu")) unimplemented(file, "hidden_act", n, "silu");
        if (!n.path("rope_scaling").isMissingNode() && !n.path("rope_scaling").isNull()) unimplemented(file, "rope_scaling", n, "null");
        for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
            if (n.path(bias).asBoolean(false)) unimplemented(file, bias, n, "false");
        }
        // Hugging Face's Mistral slides a window of 4096 when the field is absent; one as long as the context never slides
        JsonNode window = n.path("sliding_window");
        if (type.equals("mistral") && !window.isNull() && window.asLong(4096) < n.path("max_position_embeddings").asLong(DEFAULT_CONTEXT)) {
            unimplemented(file, "sliding_window", n, "an explicit null or at least max_position_embeddings");
        }
        JsonNode headDim = n.path("head_dim");
        int hidden = n.path("hidden_size").asInt(), heads = n.path("num_attention_heads").asInt();
        if (!headDim.isMissingNode() && !headDim.isNull() && heads > 0 && headDim.asInt() != hidden / heads) {
            unimplemented(file, "head_dim", n, "hidden_size / num_attention_heads = " + hidden / heads);
        }
    }

    private static void unimplemented(Path file, String field, JsonNode n, String supported) throws CheckpointFormatException {
        String value = n.has(field) ? n.get(field).toString() : "absent";
        throw new CheckpointFormatException(file, "\"" + field + "\": " + value + " is not implemented (this engine runs " + supported + ")");
    }

    /** The JSON object in {@code file}; anything else is a CheckpointFormatException naming the file. */
    private static JsonNode readJson(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (n == null || !n.isObject()) throw new CheckpointFormatException(file, "expected a JSON object");
        return n;
    }

    private static int required(Path file, JsonNode n, String key) throws CheckpointFormatException {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) throw new CheckpointFormatException(file, "missing integer \"" + key + "\"");
        return v.asInt();
    }

    /** A file format that holds named tensors: Hugging Face saves the same names in either. */
    private interface TensorReader {
        Map<String, Tensor> read(Path file, Arena arena) throws IOException;
    }

    /** A container by the names Hugging Face gives its one file and its shard index. */
    private record Container(String single, String index, TensorReader reader) {}

    /** In Hugging Face's order of preference, when a directory holds both. */
    private static final List<Container> CONTAINERS = List.of(
            new Container("model.safetensors", "model.safetensors.index.json", SafetensorsFile::read),
            new Container("pytorch_model.bin", "pytorch_model.bin.index.json", PyTorchFile::read));

    private static Container container(Path path) throws NoSuchFileException {
        if (!Files.isDirectory(path)) {
            return path.getFileName().toString().endsWith(".safetensors") ? CONTAINERS.getFirst() : CONTAINERS.getLast();
        }
        for (Container c : CONTAINERS) {
            if (Files.exists(path.resolve(c.single())) || Files.exists(path.resolve(c.index()))) return c;
        }
        throw new NoSuchFileException(path.toString(), null, "holds none of model.safetensors, model.safetensors.index.json,"
                + " pytorch_model.bin and pytorch_model.bin.index.json");
    }

    private static List<Path> shards(Path path, Container container) throws IOException {
        if (!Files.isDirectory(path)) return List.of(path);
        Path single = path.resolve(container.single());
        if (Files.exists(single)) return List.of(single);
        Path index = path.resolve(container.index());
        JsonNode map = readJson(index).get("weight_map");
        if (map == null || !map.isObject()) throw new CheckpointFormatException(index, "expected a \"weight_map\" object");
        Set<Path> files = new LinkedHashSet<>();
        Path home = path.toAbsolutePath().normalize();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
            String name = it.next().asText();
            Path shard = home.resolve(name).normalize();
            // by name only: a shard may be a link out of the directory (the Hugging Face cache links to its blobs)
            if (!shard.startsWith(home) || shard.equals(home)) {
                throw new CheckpointFormatException(index, "weight_map names shard \"" + name + "\", which is outside the model directory");
            }
            files.add(path.resolve(name));
        }
        return new ArrayList<>(files);
    }

    /** Looks tensors up by name and checks their shapes, naming the file on error. */
    private record TensorSource(Map<String, Tensor> tensors, Map<String, Path> origin, Path where) {
        Tensor get(String name, long... shape) throws CheckpointFormatException {
            Tensor t = tensors.get(name);
            if (t == null) throw new CheckpointFormatException(where, "missing tensor " + name + " of shape " + Arrays.toString(shape));
            if (!Arrays.equals(t.shape(), shape)) {
                throw new CheckpointFormatException(origin.get(name), "tensor " + name + " has shape "
                        + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
            }
            return t;
        }
    }

    private static LlamaWeights assemble(LlamaConfigJson cfg, TensorSource src, Arena arena) throws CheckpointFormatException {
        LlamaConfig c = cfg.config();
        long d = c.dim(), V = c.vocabSize();
        Tensor emb = src.get(HfTensorNames.EMBEDDING, V, d);
        List<LlamaWeights.Layer> layers = LayerTensors.HF.read(c, src::get);
        float[] norm = src.get(HfTensorNames.FINAL_NORM, d).toFloats();
        if (cfg.tied() && src.tensors().containsKey(HfTensorNames.CLASSIFIER)) {
            throw new CheckpointFormatException(src.origin().get(HfTensorNames.CLASSIFIER), "holds " + HfTensorNames.CLASSIFIER
                    + ", but config.json has \"tie_word_embeddings\": true (the classifier is the embedding); which one is meant?");
        }
        Tensor cls = cfg.tied() ? emb : src.get(HfTensorNames.CLASSIFIER, V, d);
        return new LlamaWeights(c, emb, layers, norm, cls, true, arena);
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hugging Face checkpoints, written here from random weights, whose config.json asks for what the
 * engine does not implement, whose values would overflow or divide by zero, whose index points out
 * of the directory, or whose tensors share bytes: each is one line and code 2, never a wrong run or
 * an internal error.
 */
class HfConfigBadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LlamaConfig TINY = new LlamaConfig(16, 32, 1, 2, 1, 40, 16, 1e-5f, 10000f);

    @TempDir
    Path tmp;

    /** A tiny model in {@code dir} whose config.json gets {@code edits} (a JSON object merged into it). */
    private static Path model(Path dir, boolean tied, String edits) throws IOException {
        try (LlamaWeights w = RandomWeights.create(TINY, tied, 7)) {
            HuggingFaceWriter.write(w, dir, DType.F32);
        }
        Path config = dir.resolve("config.json");
        ObjectNode n = (ObjectNode) JSON.readTree(config.toFile());
        n.setAll((ObjectNode) JSON.readTree(edits));
        JSON.writeValue(config.toFile(), n);
        return dir;
    }

    private static CliRun generate(Path model) {
        return CliRun.inProcess("generate", "--model", model, "--prompt-ids", "1,2", "--output-ids", "--steps", "3", "--threads", "1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"hidden_act": "gelu"}                                  | "hidden_act": "gelu" is not implemented
            {"rope_scaling": {"type": "linear", "factor": 2.0}}     | "rope_scaling": {"type":"linear","factor":2.0} is not implemented
            {"model_type": "mistral", "sliding_window": 8}          | "sliding_window": 8 is not implemented
            {"model_type": "mistral", "max_position_embeddings": 8192} | "sliding_window": absent is not implemented
            {"model_type": "gemma"}                                 | "model_type": "gemma" is not implemented
            {"attention_bias": true}                                | "attention_bias": true is not implemented
            {"mlp_bias": true}                                      | "mlp_bias": true is not implemented
            {"head_dim": 4}                                         | "head_dim": 4 is not implemented
            {"rms_norm_eps": 0}                                     | rms_norm_eps) must be a positive number, got 0.0
            {"rope_theta": -1}                                      | rope_theta) must be a positive number, got -1.0
            """)
    void configThatCannotRunAsWrittenIsRefused(String edits, String expected) throws IOException {
        Path dir = model(tmp, false, edits);
        generate(dir).assertBadInput(dir.resolve("config.json"), expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"hidden_act": "silu", "model_type": "llama", "rope_scaling": null, "attention_bias": false, "mlp_bias": false}
            {"model_type": "mistral", "sliding_window": null}
            {"model_type": "mistral", "sliding_window": 16}
            {"model_type": "mistral"}
            {"head_dim": 8}
            """)
    void valuesThatMeanPlainLlamaRun(String edits) throws IOException {
        CliRun run = generate(model(tmp, false, edits));
        assertEquals(0, run.code(), run::err);
    }

    @Test
    void aContextTooLongForAnyArray() throws IOException {
        Path dir = model(tmp, false, "{\"max_position_embeddings\": 2147483647}");
        generate(dir).assertBadInput(dir, "a context of 2147483647 positions", "max_position_embeddings");
    }

    @Test
    void tiedEmbeddingsWithASeparateHeadAreAmbiguous() throws IOException {
        Path dir = model(tmp, false, "{\"tie_word_embeddings\": true}");
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "holds lm_head.weight", "\"tie_word_embeddings\": true");
    }

    @ParameterizedTest
    @CsvSource({"/etc/passwd", "../elsewhere.safetensors", "."})
    void indexShardsOutsideTheDirectoryAreNotOpened(String shard) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        model(dir, false, "{}");
        // a loadable shard outside the directory: before the check it was read
        Files.move(dir.resolve("model.safetensors"), tmp.resolve("elsewhere.safetensors"));
        Path index = Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"model.embed_tokens.weight\": \"" + shard + "\"}}");
        generate(dir).assertBadInput(index, "weight_map names shard \"" + shard + "\", which is outside the model directory");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        Path src = Files.createDirectory(tmp.resolve("src")), dir = Files.createDirectory(tmp.resolve("model"));
        model(src, false, "{}");
        BadFiles.Safetensors file = BadFiles.Safetensors.read(src.resolve("model.safetensors"));
        BadFiles.Safetensors shared = file.editTensors(h -> h.set("model.norm.weight",
                h.get("model.layers.0.input_layernorm.weight").deepCopy()));
        shared.writeHf(dir, src.resolve("config.json"));
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "model.layers.0.input_layernorm.weight", "model.norm.weight",
                "overlap");
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Hugging Face checkpoints whose safetensors header or config.json is wrong. */
class SafetensorsBadInputTest {
    private static final String K_PROJ = "model.layers.0.self_attn.k_proj.weight";
    private static final String UP_PROJ = "model.layers.1.mlp.up_proj.weight";

    @TempDir
    Path tmp;
    private Path config;
    private BadFiles.Safetensors good;

    @BeforeEach
    void readFixture() throws IOException {
        config = OwnModels.tinyHf().resolve("config.json");
        good = BadFiles.Safetensors.read(OwnModels.tinyHf().resolve("model.safetensors"));
    }

    private static CliRun generate(Path model) {
        return CliRun.inProcess("generate", "--model", model, "--prompt-ids", "1,2", "--output-ids", "--steps", "3");
    }

    @Test
    void missingTensorInADirectory() throws IOException {
        Path dir = good.editTensors(h -> h.remove(UP_PROJ)).writeHf(tmp, config);
        generate(dir).assertBadInput(dir, "missing tensor " + UP_PROJ + " of shape [176, 64]");
    }

    @Test
    void missingTensorInAFile() throws IOException {
        Path file = good.editTensors(h -> h.remove(UP_PROJ)).writeHf(tmp, config).resolve("model.safetensors");
        generate(file).assertBadInput(file, "missing tensor " + UP_PROJ);
    }

    @Test
    void wrongShapeOfTheRightSize() throws IOException {
        Path dir = good.editTensors(h -> h.with(K_PROJ).putArray("shape").add(64).add(32)).writeHf(tmp, config);
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "tensor " + K_PROJ + " has shape [64, 32], expected [32, 64]");
    }

    @Test
    void shapeThatDisagreesWithItsDataOffsets() throws IOException {
        Path dir = good.editTensors(h -> h.with(K_PROJ).putArray("shape").add(32).add(32)).writeHf(tmp, config);
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "tensor " + K_PROJ, "needs 4096 bytes, its data_offsets span 8192");
    }

    @Test
    void unsupportedDtype() throws IOException {
        Path dir = good.editTensors(h -> h.with(K_PROJ).put("dtype", "I8")).writeHf(tmp, config);
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "tensor " + K_PROJ + " has dtype I8 (expected F32, F16 or BF16)");
    }

    @Test
    void garbledJsonHeader() throws IOException {
        String json = new String(good.header());
        Path dir = good.withHeader(json.substring(0, json.length() - 10) + "!!!!!!!!!!").writeHf(tmp, config);
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "corrupt header: not JSON");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        Path dir = good.writeHf(tmp, config, 10_000_000);
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "corrupt header: it claims 10000000 bytes of JSON in a file of");
    }

    @Test
    void truncatedData() throws IOException {
        Path dir = good.withData(Arrays.copyOf(good.data(), good.data().length / 2)).writeHf(tmp, config);
        generate(dir).assertBadInput(dir.resolve("model.safetensors"), "beyond the " + good.data().length / 2 + " data bytes", "truncated");
    }

    @Test
    void missingConfigJson() throws IOException {
        Path dir = good.writeHf(tmp, config);
        Files.delete(dir.resolve("config.json"));
        generate(dir.resolve("model.safetensors")).assertBadInput(dir.resolve("config.json"), "needs config.json beside its weights");
    }

    @Test
    void garbledConfigJson() throws IOException {
        Path dir = good.writeHf(tmp, config);
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 64,");
        generate(dir).assertBadInput(dir.resolve("config.json"), "not valid JSON");
    }
}

package org.knowcoder.model.session;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.GgufWriter;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.testing.SharedFiles;
import org.knowcoder.testing.TestPool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * The fixture models written as GGUF by our writer and read back give the fixtures' greedy ids and
 * logits. The Hugging Face files have rotate-half q/k rows, so they check that the writer puts them
 * back into GGUF's adjacent-pair layout.
 */
class GgufReferenceModelsTest {
    private static final WorkerPool pool = TestPool.TWO_THREADS;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}/{1} as {2}")
    @CsvSource({
            "llama-tiny-gqa, model.safetensors,      F32,  ''",
            "llama-tiny-gqa, model.bin,              F32,  ''",
            "llama-tiny-mha, model.safetensors,      F32,  ''",
            "llama-tiny-gqa, model-bf16.safetensors, BF16, bf16",
            "llama-tiny-q8,  model.bin,              F32,  f32",
    })
    void greedyIdsAndLastLogitsMatchPyTorch(String model, String file, DType dtype, String variant) throws IOException {
        Path fixture = SharedFiles.fixture("models/" + model);
        JsonNode expected = SharedFiles.json(fixture.resolve("expected.json"));
        JsonNode want = variant.isEmpty() ? expected : expected.get(variant);
        Path gguf = dir.resolve("model.gguf");
        try (LlamaWeights source = Checkpoints.load(fixture.resolve(file))) {
            GgufWriter.write(source, gguf, dtype, Map.of());
        }
        int[] prompt = SharedFiles.ints(expected.get("prompt"));
        try (LlamaWeights weights = Checkpoints.load(gguf)) {
            LlamaSession session = new LlamaSession(weights, pool);
            float[] logits = session.prefill(prompt, 0);
            if (want.has("last_logits")) {
                float tol = (float) expected.get("tolerance").get("logits_abs").asDouble();
                assertArraysClose(SharedFiles.floats(want.get("last_logits")), logits, tol, 0, model + " last logits");
            }
            assertArrayEquals(SharedFiles.ints(want.get("greedy")),
                    ReferenceModelsTest.greedy(session, logits, prompt.length, expected.get("greedy_steps").asInt()));
        }
    }

    /** F16 rounds the weights; the greedy ids must survive it. */
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"llama-tiny-gqa, F16", "llama-tiny-q8, F16"})
    void roundedWeightsKeepTheGreedyIds(String model, DType dtype) throws IOException {
        Path fixture = SharedFiles.fixture("models/" + model);
        JsonNode expected = SharedFiles.json(fixture.resolve("expected.json"));
        Path gguf = dir.resolve("model.gguf");
        try (LlamaWeights source = Checkpoints.load(fixture.resolve("model.safetensors").toFile().exists()
                ? fixture.resolve("model.safetensors") : fixture.resolve("model.bin"))) {
            GgufWriter.write(source, gguf, dtype, Map.of());
        }
        int[] prompt = SharedFiles.ints(expected.get("prompt"));
        JsonNode want = expected.has("greedy") ? expected : expected.get("f32");
        try (LlamaWeights weights = Checkpoints.load(gguf)) {
            LlamaSession session = new LlamaSession(weights, pool);
            float[] logits = session.prefill(prompt, 0);
            assertArrayEquals(SharedFiles.ints(want.get("greedy")),
                    ReferenceModelsTest.greedy(session, logits, prompt.length, expected.get("greedy_steps").asInt()));
        }
    }

    /**
     * GGUF's Q8_0 (blocks of 32, F16 scales) and Q4_0 against their own dequantized weights: the
     * fixture's q8_0 reference has llama2.c's groups of 64 and F32 scales, another model. The same
     * file written back as F32 holds exactly the dequantized values, so the two must agree to F32
     * rounding (Q4_0: to its activations' rounding to int8, {@link Q4ReferenceTest#assertGreedyAgrees}). (llama-tiny-q8 is the fixture whose rows, 64 and 192, are whole blocks of 32; the
     * others have rows of 176; no fixture has rows of 256 for Q4_K, which Q4ReferenceTest covers.)
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0"})
    void quantizedGivesTheIdsAndLogitsOfItsDequantizedWeights(DType dtype) throws IOException {
        Path fixture = SharedFiles.fixture("models/llama-tiny-q8");
        JsonNode expected = SharedFiles.json(fixture.resolve("expected.json"));
        Path q8 = dir.resolve("q.gguf"), dequantized = dir.resolve("f32.gguf");
        try (LlamaWeights source = Checkpoints.load(fixture.resolve("model.bin"))) {
            GgufWriter.write(source, q8, dtype, Map.of());
        }
        int[] prompt = SharedFiles.ints(expected.get("prompt"));
        int steps = expected.get("greedy_steps").asInt();
        try (LlamaWeights quantized = Checkpoints.load(q8)) {
            GgufWriter.write(quantized, dequantized, DType.F32, Map.of());
            try (LlamaWeights exact = Checkpoints.load(dequantized)) {
                LlamaSession a = new LlamaSession(quantized, pool), b = new LlamaSession(exact, pool);
                float[] la = a.prefill(prompt, 0), lb = b.prefill(prompt, 0);
                assertEquals(dtype, quantized.dtype());
                if (dtype == DType.Q4_0) {
                    Q4ReferenceTest.assertGreedyAgrees(b, lb, a, la, prompt.length, steps, dtype + " against its dequantized weights");
                } else {
                    assertArraysClose(lb, la, 1e-4, 0, dtype + " against its dequantized weights");
                    assertArrayEquals(ReferenceModelsTest.greedy(b, lb, prompt.length, steps), ReferenceModelsTest.greedy(a, la, prompt.length, steps));
                }
            }
        }
    }

    @Test
    void stories260kGivesLlama2cGreedyIds() throws IOException {
        Path fixture = SharedFiles.fixture("stories260K");
        int[] expected = Arrays.stream(Files.readString(fixture.resolve("stories260K_greedy_n200_ids.txt")).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        Path gguf = dir.resolve("stories260K.gguf");
        try (LlamaWeights source = Checkpoints.load(fixture.resolve("stories260K.bin"))) {
            GgufWriter.write(source, gguf, DType.F32, Map.of());
        }
        try (LlamaWeights w = Checkpoints.load(gguf)) {
            Generator.Result r = Generator.generate(new LlamaSession(w, pool), new Sampler(512, 0f, 0.9f, 1), new int[] {1}, 200,
                    1, 2, (prev, next) -> {});
            assertArrayEquals(expected, r.ids());
        }
    }
}

package org.knowcoder.model.session;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.tensor.DType;
import org.knowcoder.testing.TestPool;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * The random LLaMA models of ../shared/fixtures/models against a PyTorch forward pass: greedy ids
 * exactly, last-position logits within the fixture's tolerance, in every file format.
 */
class ReferenceModelsTest {
    private static final WorkerPool pool = TestPool.TWO_THREADS;

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
            "llama-tiny-gqa, model.bin,              ''",
            "llama-tiny-gqa, model-v1.bin,           ''",
            "llama-tiny-gqa, model.safetensors,      ''",
            "llama-tiny-gqa, model-bf16.safetensors, bf16",
            "llama-tiny-gqa, .,                      ''",
            "llama-tiny-mha, model.bin,              ''",
            "llama-tiny-mha, model.safetensors,      ''",
            "llama-tiny-mha, model-bf16.safetensors, bf16",
            "llama-tiny-q8,  model.bin,              f32",
            "llama-tiny-q8,  model-q8_0.bin,         q8_0",
            "llama-tiny-gqa/pytorch, f32,                       f32",
            "llama-tiny-gqa/pytorch, f32/pytorch_model.bin,     f32",
            "llama-tiny-gqa/pytorch, bf16,                      bf16",
            "llama-tiny-gqa/pytorch, f16-sharded,               f16",
    })
    void greedyIdsAndLastLogitsMatchPyTorch(String model, String file, String variant) throws IOException {
        assertMatchesPyTorch(model, file, variant, weights -> new LlamaSession(weights, pool));
    }

    /** The fixture's greedy ids exactly and last logits within its tolerance, from a session {@code open} makes. */
    static void assertMatchesPyTorch(String model, String file, String variant, Function<LlamaWeights, DecodingSession> open)
            throws IOException {
        Path dir = SharedFiles.fixture("models/" + model);
        JsonNode expected = SharedFiles.json(dir.resolve("expected.json"));
        JsonNode want = variant.isEmpty() ? expected : expected.get(variant);
        int[] prompt = SharedFiles.ints(expected.get("prompt"));
        int steps = expected.get("greedy_steps").asInt();
        try (LlamaWeights weights = Checkpoints.load(dir.resolve(file))) {
            DecodingSession session = open.apply(weights);
            float[] logits = session.prefill(prompt, 0);
            if (want.has("last_logits")) {
                float tol = (float) expected.get("tolerance").get("logits_abs").asDouble();
                assertArraysClose(SharedFiles.floats(want.get("last_logits")), logits, tol, 0, model + " last logits");
            }
            assertArrayEquals(SharedFiles.ints(want.get("greedy")), greedy(session, logits, prompt.length, steps));
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({"llama-tiny-gqa, model.bin", "llama-tiny-gqa, model.safetensors", "llama-tiny-mha, model-bf16.safetensors",
            "llama-tiny-q8, model-q8_0.bin"})
    void prefillAndTokenByTokenGiveTheSameLogits(String model, String file) throws IOException {
        Path dir = SharedFiles.fixture("models/" + model);
        int[] prompt = SharedFiles.ints(SharedFiles.json(dir.resolve("expected.json")).get("prompt"));
        try (LlamaWeights weights = Checkpoints.load(dir.resolve(file))) {
            float[] batched = new LlamaSession(weights, pool).prefill(prompt, 0).clone();
            LlamaSession stepwise = new LlamaSession(weights, pool);
            float[] logits = null;
            for (int pos = 0; pos < prompt.length; pos++) logits = stepwise.forward(prompt[pos], pos);
            assertArraysClose(batched, logits, 1e-4, 0, "batched prefill");
        }
    }

    @Test
    void quantizingAtLoadTimeMatchesLlama2cQ8Export() throws IOException {
        Path dir = SharedFiles.fixture("models/llama-tiny-q8");
        JsonNode expected = SharedFiles.json(dir.resolve("expected.json"));
        int[] prompt = SharedFiles.ints(expected.get("prompt"));
        try (LlamaWeights weights = Checkpoints.load(dir.resolve("model.bin")); LlamaWeights q8 = weights.quantize(DType.Q8_0)) {
            LlamaSession session = new LlamaSession(q8, pool);
            float[] logits = session.prefill(prompt, 0);
            assertArraysClose(SharedFiles.floats(expected.get("q8_0").get("last_logits")), logits, 2e-3, 0, "Q8_0 last logits");
            assertArrayEquals(SharedFiles.ints(expected.get("q8_0").get("greedy")),
                    greedy(session, logits, prompt.length, expected.get("greedy_steps").asInt()));
        }
    }

    @Test
    void quantizingRowsOf176UsesGroupsOf16AndStaysClose() throws IOException {
        Path dir = SharedFiles.fixture("models/llama-tiny-gqa");
        int[] prompt = SharedFiles.ints(SharedFiles.json(dir.resolve("expected.json")).get("prompt"));
        try (LlamaWeights weights = Checkpoints.load(dir.resolve("model.safetensors")); LlamaWeights q8 = weights.quantize(DType.Q8_0)) {
            assertEquals(16, q8.layer(0).w2().groupSize());
            float[] exact = new LlamaSession(weights, pool).prefill(prompt, 0).clone();
            float[] quantized = new LlamaSession(q8, pool).prefill(prompt, 0);
            assertArraysClose(exact, quantized, 0.25, 0, "Q8_0 against F32");
            assertEquals(Sampler.argmax(exact), Sampler.argmax(quantized));
        }
    }

    /** Greedy continuation: {@code steps} argmax tokens, the first from the prompt's logits. */
    static int[] greedy(DecodingSession session, float[] logits, int pos, int steps) {
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Sampler.argmax(logits);
            if (i + 1 < steps) logits = session.forward(out[i], pos + i);
        }
        return out;
    }
}

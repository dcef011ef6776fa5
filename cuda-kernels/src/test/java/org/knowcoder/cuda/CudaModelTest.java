package org.knowcoder.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.session.DecodingSession;
import org.knowcoder.model.session.DeviceSession;
import org.knowcoder.model.session.Generator;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.model.session.Sampler;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.knowcoder.testing.TestPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.knowcoder.testing.Approx.assertArraysClose;

/** Whole models on the GPU: the fixtures' greedy ids exactly, PyTorch's logits within the fixtures' tolerance, and the CPU session's logits. */
class CudaModelTest {
    private static final WorkerPool pool = TestPool.TWO_THREADS;

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
            "llama-tiny-gqa, model.bin",
            "llama-tiny-gqa, model-v1.bin",
            "llama-tiny-gqa, model.safetensors",
            "llama-tiny-gqa, model-bf16.safetensors",
            "llama-tiny-mha, model.bin",
            "llama-tiny-mha, model.safetensors",
            "llama-tiny-mha, model-bf16.safetensors",
            "llama-tiny-q8,  model.bin",
            "llama-tiny-q8,  model-q8_0.bin",
    })
    void greedyIdsAndLogitsMatchTheCpu(String model, String file) throws IOException {
        CudaDevice gpu = Gpu.device();
        Path dir = SharedFiles.fixture("models/" + model);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        int[] prompt = new ObjectMapper().convertValue(expected.get("prompt"), int[].class);
        int steps = expected.get("greedy_steps").asInt();
        try (LlamaWeights weights = Checkpoints.load(dir.resolve(file))) {
            LlamaSession cpu = new LlamaSession(weights, pool);
            DeviceSession cuda = new DeviceSession(weights, gpu);
            float[] cpuLogits = cpu.prefill(prompt, 0).clone(), gpuLogits = cuda.prefill(prompt, 0);
            assertArraysClose(cpuLogits, gpuLogits, 1e-4, 1e-4, model + "/" + file + " prompt logits");
            // and PyTorch's, where the fixture has them for this file's dtype, within the fixture's tolerance
            JsonNode want = file.contains("bf16") ? expected.get("bf16") : file.contains("q8_0") ? expected.get("q8_0") : expected;
            if (want.has("last_logits")) {
                float[] pytorch = new ObjectMapper().convertValue(want.get("last_logits"), float[].class);
                double tol = expected.get("tolerance").get("logits_abs").asDouble();
                assertArraysClose(pytorch, gpuLogits, tol, tol, model + "/" + file + " PyTorch's logits");
            }
            int[] gpuGreedy = greedy(cuda, gpuLogits, prompt.length, steps);
            assertArrayEquals(greedy(cpu, cpuLogits, prompt.length, steps), gpuGreedy);
            if (want.has("greedy")) assertArrayEquals(new ObjectMapper().convertValue(want.get("greedy"), int[].class), gpuGreedy);
        }
    }

    @Test
    void stories260kGreedyIdsMatchLlama2c() throws IOException {
        CudaDevice gpu = Gpu.device();
        Path dir = SharedFiles.fixture("stories260K");
        int[] expected = Arrays.stream(Files.readString(dir.resolve("stories260K_greedy_n200_ids.txt")).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        try (LlamaWeights w = Checkpoints.load(dir.resolve("stories260K.bin"))) {
            Generator.Result r = Generator.generate(new DeviceSession(w, gpu), new Sampler(512, 0f, 0.9f, 1), new int[] {1}, 200,
                    1, 2, (prev, next) -> {});
            assertArrayEquals(expected, r.ids());
        }
    }

    private static int[] greedy(DecodingSession session, float[] logits, int pos, int steps) {
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Sampler.argmax(logits);
            if (i + 1 < steps) logits = session.forward(out[i], pos + i);
        }
        return out;
    }

}

package org.knowcoder.model.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.testing.TestPool;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.tensor.device.CpuDevice;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * The device-neutral forward pass ({@link DeviceSession}) on the CPU device: the same references as
 * {@link LlamaSession}, so a GPU backend that passes the op-by-op parity tests runs a checked model.
 */
class DeviceSessionTest {
    private static final Device cpu = new CpuDevice(TestPool.TWO_THREADS);

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
            "llama-tiny-gqa, model.bin,              ''",
            "llama-tiny-gqa, model-v1.bin,           ''",
            "llama-tiny-gqa, model.safetensors,      ''",
            "llama-tiny-gqa, model-bf16.safetensors, bf16",
            "llama-tiny-mha, model.safetensors,      ''",
            "llama-tiny-mha, model-bf16.safetensors, bf16",
            "llama-tiny-q8,  model-q8_0.bin,         q8_0",
    })
    void greedyIdsAndLastLogitsMatchPyTorch(String model, String file, String variant) throws IOException {
        ReferenceModelsTest.assertMatchesPyTorch(model, file, variant, weights -> new DeviceSession(weights, cpu));
    }

    @Test
    void stories260kGreedyIdsMatchLlama2c() throws IOException {
        Path dir = SharedFiles.fixture("stories260K");
        int[] expected = Arrays.stream(Files.readString(dir.resolve("stories260K_greedy_n200_ids.txt")).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        try (LlamaWeights w = Checkpoints.load(dir.resolve("stories260K.bin"))) {
            Generator.Result r = Generator.generate(new DeviceSession(w, cpu), new Sampler(512, 0f, 0.9f, 1), new int[] {1}, 200,
                    1, 2, (prev, next) -> {});
            assertArrayEquals(expected, r.ids());
        }
    }

    /** Our own passes against our own session: a random model of stories260K's shape will do. */
    @Test
    void promptsLongerThanOnePassMatchTheCpuSession() {
        int[] prompt = new int[300]; // three passes of the CPU device's 128 rows
        for (int i = 0; i < prompt.length; i++) prompt[i] = i == 0 ? 1 : (i * 37) % 512;
        try (LlamaWeights w = RandomModels.stories()) {
            float[] reference = new LlamaSession(w, TestPool.TWO_THREADS).prefill(prompt, 0).clone();
            DeviceSession session = new DeviceSession(w, cpu);
            assertArraysClose(reference, session.prefill(prompt, 0), 1e-4, 0, "prefill logits");
            float[] next = new LlamaSession(w, TestPool.TWO_THREADS).prefill(Arrays.copyOf(prompt, 301), 0);
            assertArraysClose(next, session.forward(0, 300), 1e-4, 0, "logits at position 300");
        }
    }

    @Test
    void outOfVocabularyTokensAndPositionsAreRefused() {
        try (LlamaWeights w = RandomModels.stories()) {
            DeviceSession session = new DeviceSession(w, cpu);
            assertThrows(IllegalArgumentException.class, () -> session.forward(512, 0));
            assertThrows(IllegalArgumentException.class, () -> session.forward(1, w.config().seqLen()));
        }
    }
}

package org.knowcoder.model.session;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.knowcoder.testing.Approx.assertArraysClose;

/** llama2.c's stories260K: logits after BOS and the greedy ids of run.c. */
class Stories260kTest {

    @Test
    void logitsAfterBosMatchLlama2c() throws IOException {
        Path dir = SharedFiles.fixture("stories260K");
        String[] lines = Files.readString(dir.resolve("stories260K_logits_pos0_bos.txt")).trim().split("\\s+");
        float[] expected = new float[lines.length];
        for (int i = 0; i < lines.length; i++) expected[i] = Float.parseFloat(lines[i]);
        try (LlamaWeights w = Checkpoints.load(dir.resolve("stories260K.bin")); WorkerPool pool = new WorkerPool(2)) {
            assertArraysClose(expected, new LlamaSession(w, pool).forward(1, 0), 1e-4, 0, "logits at position 0");
        }
    }

    @Test
    void greedyIdsMatchLlama2c() throws IOException {
        Path dir = SharedFiles.fixture("stories260K");
        int[] expected = Arrays.stream(Files.readString(dir.resolve("stories260K_greedy_n200_ids.txt")).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        try (LlamaWeights w = Checkpoints.load(dir.resolve("stories260K.bin")); WorkerPool pool = new WorkerPool(1)) {
            Generator.Result r = Generator.generate(new LlamaSession(w, pool), new Sampler(512, 0f, 0.9f, 1), new int[] {1}, 200,
                    1, 2, (prev, next) -> {});
            assertArrayEquals(expected, r.ids());
        }
    }
}

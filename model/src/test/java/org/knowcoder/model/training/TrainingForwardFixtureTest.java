package org.knowcoder.model.training;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.SafetensorsFile;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import org.knowcoder.testing.TestPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss and every gradient of ../shared/fixtures/train (PyTorch autograd on llama-tiny-gqa), plain and masked. */
class TrainingForwardFixtureTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    @Test
    void lossAndGradients() throws IOException {
        check(false);
    }

    @Test
    void maskedLossAndGradients() throws IOException {
        check(true);
    }

    private static void check(boolean masked) throws IOException {
        Path dir = SharedFiles.fixture("train");
        JsonNode expected = SharedFiles.json(dir.resolve("expected.json"));
        int[][] seqs = ints2(expected.get("grad_batch"));
        TokenBatch batch = TokenBatch.of(seqs, masked ? ints2(expected.get("loss_mask")) : null);
        try (LlamaWeights w = Checkpoints.load(SharedFiles.fixture("models/llama-tiny-gqa")); Arena arena = Arena.ofConfined()) {
            LlamaParams params = LlamaParams.trainable(w);
            Tape tape = new Tape(POOL);
            Var loss = new TrainingForward(params, null).loss(tape, batch, batch.weightSum());
            double want = expected.get(masked ? "loss_masked" : "loss").asDouble();
            assertEquals(want, loss.value()[0], expected.get("tolerance").get("loss_abs").asDouble());
            tape.backward(loss);
            Map<String, Tensor> grads = SafetensorsFile.read(dir.resolve(masked ? "grads_masked.safetensors" : "grads.safetensors"), arena);
            assertEquals(grads.size(), params.named().size());
            double tol = expected.get("tolerance").get("grad_rel_l2").asDouble();
            for (Map.Entry<String, Var> e : params.named().entrySet()) {
                Tensor ref = grads.get(e.getKey());
                assertNotNull(ref, e.getKey());
                assertNotNull(e.getValue().grad(), e.getKey() + " got no gradient");
                double err = relativeL2(ref.toFloats(), e.getValue().grad());
                assertTrue(err < tol, e.getKey() + ": relative L2 error " + err);
            }
        }
    }

    static double relativeL2(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = expected[i] - actual[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / Math.max(norm, 1e-30));
    }

    static int[][] ints2(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) out[i] = SharedFiles.ints(rows.get(i));
        return out;
    }
}

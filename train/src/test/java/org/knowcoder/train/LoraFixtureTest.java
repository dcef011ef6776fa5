package org.knowcoder.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.SafetensorsFile;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 2: ../shared/fixtures/lora loss, logits and adapter gradients; merged equals unmerged; save/load round trip. */
class LoraFixtureTest {
    @Test
    void lossLogitsGradientsAndMerge(@TempDir Path tmp) throws IOException {
        Path dir = Fixtures.dir("lora");
        JsonNode expected = Fixtures.json(dir.resolve("expected.json"));
        JsonNode tol = expected.get("tolerance");
        TokenBatch batch = TokenBatch.of(Fixtures.ints(expected.get("batch")), null);
        try (WorkerPool pool = new WorkerPool(2); LlamaWeights base = Checkpoints.load(Fixtures.dir("models/llama-tiny-gqa"));
             Arena arena = Arena.ofConfined()) {
            LoraAdapter adapter = LoraAdapter.load(dir, base.config());
            LlamaParams frozen = LlamaParams.frozen(base);
            Tape tape = new Tape(pool);
            TrainingForward forward = new TrainingForward(frozen, adapter);
            Var logits = forward.logits(new Tape(pool), batch.inputs(), batch.seqLen());
            int vocab = base.config().vocabSize();
            float[] unmerged = Arrays.copyOf(logits.value(), logits.size()); // a pool array may be longer
            JsonNode last = expected.get("last_logits_first_sequence");
            for (int j = 0; j < vocab; j++) {
                assertEquals(last.get(j).asDouble(), unmerged[(batch.seqLen() - 1) * vocab + j], tol.get("logits_abs").asDouble(), "logit " + j);
            }
            Var loss = forward.loss(tape, batch, batch.weightSum());
            assertEquals(expected.get("loss").asDouble(), loss.value()[0], tol.get("loss_abs").asDouble());
            tape.backward(loss);
            Map<String, Tensor> grads = SafetensorsFile.read(dir.resolve("lora_grads.safetensors"), arena);
            assertEquals(grads.size(), adapter.parameters().size());
            for (Parameter p : adapter.parameters()) {
                double err = relativeL2(grads.get(p.name()).toFloats(), p.var().grad());
                assertTrue(err < tol.get("grad_rel_l2").asDouble(), p.name() + ": relative L2 error " + err);
            }
            for (Var v : frozen.named().values()) assertNull(v.grad(), v.name() + " is frozen but got a gradient");

            adapter.save(tmp, "llama-tiny-gqa");
            LoraAdapter reloaded = LoraAdapter.load(tmp, base.config());
            LlamaParams merged = LlamaParams.trainable(base);
            reloaded.mergeInto(merged);
            Var mergedLogits = new TrainingForward(merged, null).logits(new Tape(pool), batch.inputs(), batch.seqLen());
            double worst = 0;
            for (int i = 0; i < unmerged.length; i++) worst = Math.max(worst, Math.abs(unmerged[i] - mergedLogits.value()[i]));
            assertTrue(worst < 1e-4, "merged and unmerged logits differ by " + worst);
        }
    }

    static double relativeL2(float[] expected, float[] actual) {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }
}

package org.knowcoder.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.Projection;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * LoRA with dropout under activation checkpointing: the recomputed layers draw the same dropout masks
 * and the frozen base leaves the layer inputs without gradient, yet every adapter gradient is bit-identical. On a
 * tiny random model: our own recomputation is checked, not a reference.
 */
class LoraCheckpointTest {
    @Test
    void adapterGradientsAreBitIdentical() {
        TokenBatch batch = TokenBatch.of(new int[][] {{1, 5, 9, 3, 7, 2, 30, 11}, {1, 4, 4, 8, 39, 11, 0, 6}}, null);
        try (WorkerPool pool = new WorkerPool(2); LlamaWeights base = RandomWeights.create(TinyRun.CONFIG, false, 3)) {
            LoraAdapter plain = TinyRun.adapter(base.config()), recomputed = TinyRun.adapter(base.config());
            float plainLoss = lossAndBackward(plain, base, batch, false, pool);
            float recomputedLoss = lossAndBackward(recomputed, base, batch, true, pool);
            assertEquals(Float.floatToRawIntBits(plainLoss), Float.floatToRawIntBits(recomputedLoss), "loss");
            List<Parameter> want = plain.parameters(), got = recomputed.parameters();
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i).var().grad(), got.get(i).var().grad(), want.get(i).name());
            }
        }
    }

    private static float lossAndBackward(LoraAdapter adapter, LlamaWeights base, TokenBatch batch, boolean checkpoint, WorkerPool pool) {
        Tape tape = new Tape(pool);
        Var loss = new TrainingForward(LlamaParams.frozen(base), adapter, checkpoint).loss(tape, batch, batch.weightSum());
        float value = loss.value()[0];
        tape.backward(loss);
        return value;
    }
}

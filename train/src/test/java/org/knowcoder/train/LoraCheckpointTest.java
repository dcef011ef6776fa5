package org.knowcoder.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.Projection;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * LoRA with dropout under activation checkpointing: the recomputed layers draw the same dropout masks
 * and the frozen base leaves the layer inputs without gradient, yet every adapter gradient is bit-identical.
 */
class LoraCheckpointTest {
    @Test
    void adapterGradientsAreBitIdentical() throws IOException {
        JsonNode expected = Fixtures.json(Fixtures.dir("lora").resolve("expected.json"));
        TokenBatch batch = TokenBatch.of(Fixtures.ints(expected.get("batch")), null);
        try (WorkerPool pool = new WorkerPool(2); LlamaWeights base = Checkpoints.load(Fixtures.dir("models/llama-tiny-gqa"))) {
            LoraAdapter plain = adapter(base), recomputed = adapter(base);
            float plainLoss = lossAndBackward(plain, base, batch, false, pool);
            float recomputedLoss = lossAndBackward(recomputed, base, batch, true, pool);
            assertEquals(Float.floatToRawIntBits(plainLoss), Float.floatToRawIntBits(recomputedLoss), "loss");
            List<Parameter> want = plain.parameters(), got = recomputed.parameters();
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i).var().grad(), got.get(i).var().grad(), want.get(i).name());
            }
        }
    }

    private static LoraAdapter adapter(LlamaWeights base) {
        LoraAdapter a = LoraAdapter.create(new LoraConfig(4, 8, 0.2, EnumSet.allOf(Projection.class)), base.config(), 11);
        // B starts at zero, which would hide every gradient but B's: give it values.
        for (Parameter p : a.parameters()) {
            float[] v = p.var().value();
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.37 + p.name().length());
        }
        a.reseed(5);
        return a;
    }

    private static float lossAndBackward(LoraAdapter adapter, LlamaWeights base, TokenBatch batch, boolean checkpoint, WorkerPool pool) {
        Tape tape = new Tape(pool);
        Var loss = new TrainingForward(LlamaParams.frozen(base), adapter, checkpoint).loss(tape, batch, batch.weightSum());
        float value = loss.value()[0];
        tape.backward(loss);
        return value;
    }
}

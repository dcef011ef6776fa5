package org.knowcoder.model.training;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.knowcoder.testing.TestPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recomputing each layer in backward gives the loss and every gradient bit for bit, holding far fewer activations. */
class ActivationCheckpointTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    record Pass(float loss, long heldBytes, Map<String, float[]> grads) {}

    @Test
    void tinyModelIsBitIdenticalAndHoldsLess() {
        LlamaConfig config = new LlamaConfig(32, 64, 4, 4, 2, 50, 16, 1e-5f, 10000f);
        SplittableRandom rng = new SplittableRandom(7);
        int[][] seqs = new int[3][17];
        for (int[] s : seqs) for (int i = 0; i < s.length; i++) s[i] = rng.nextInt(config.vocabSize());
        TokenBatch batch = TokenBatch.of(seqs, null);
        try (LlamaWeights w = RandomWeights.create(config, false, 3)) {
            Pass plain = pass(w, batch, false, 0), recomputed = pass(w, batch, true, 0);
            assertSame(plain, recomputed);
            System.out.printf("activation bytes held after forward, 4 layers: %d plain, %d checkpointed%n",
                    plain.heldBytes(), recomputed.heldBytes());
            assertTrue(recomputed.heldBytes() * 3 < plain.heldBytes(), recomputed.heldBytes() + " vs " + plain.heldBytes());
        }
    }

    @Test
    void fixtureBatchIsBitIdentical() throws IOException {
        JsonNode expected = SharedFiles.json(SharedFiles.fixture("train").resolve("expected.json"));
        TokenBatch batch = TokenBatch.of(TrainingForwardFixtureTest.ints2(expected.get("grad_batch")),
                TrainingForwardFixtureTest.ints2(expected.get("loss_mask")));
        try (LlamaWeights w = Checkpoints.load(SharedFiles.fixture("models/llama-tiny-gqa"))) {
            assertSame(pass(w, batch, false, 0), pass(w, batch, true, 0));
        }
    }

    static void assertSame(Pass want, Pass got) {
        assertEquals(Float.floatToRawIntBits(want.loss()), Float.floatToRawIntBits(got.loss()), "loss");
        assertEquals(want.grads().keySet(), got.grads().keySet());
        for (String name : want.grads().keySet()) assertArrayEquals(want.grads().get(name), got.grads().get(name), name);
    }

    /** One forward and backward with fresh parameters, its dropout masks drawn from seed 5. */
    static Pass pass(LlamaWeights w, TokenBatch batch, boolean checkpoint, float dropout) {
        LlamaParams params = LlamaParams.trainable(w);
        Tape tape = new Tape(POOL);
        TrainingForward forward = new TrainingForward(params, null, checkpoint, dropout);
        forward.reseed(5);
        Var loss = forward.loss(tape, batch, batch.weightSum());
        long held = tape.heldActivationBytes();
        float value = loss.value()[0];
        tape.backward(loss);
        Map<String, float[]> grads = new LinkedHashMap<>();
        params.named().forEach((name, v) -> grads.put(name, v.grad()));
        return new Pass(value, held, grads);
    }
}

package org.knowcoder.model.training;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.testing.TestPool;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Residual dropout: seeded masks (the same after a reseed, new for each forward), kept by activation checkpointing. */
class ResidualDropoutTest {
    private static final LlamaConfig CONFIG = new LlamaConfig(32, 64, 3, 4, 2, 50, 16, 1e-5f, 10000f);

    private static TokenBatch batch() {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] seqs = new int[2][17];
        for (int[] s : seqs) for (int i = 0; i < s.length; i++) s[i] = rng.nextInt(CONFIG.vocabSize());
        return TokenBatch.of(seqs, null);
    }

    @Test
    void aCheckpointedLayerDrawsTheSameMasksInBackward() {
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 3)) {
            ActivationCheckpointTest.Pass plain = ActivationCheckpointTest.pass(w, batch(), false, 0.3f);
            ActivationCheckpointTest.assertSame(plain, ActivationCheckpointTest.pass(w, batch(), true, 0.3f));
            assertNotEquals(ActivationCheckpointTest.pass(w, batch(), false, 0).loss(), plain.loss(), "the masks change the loss");
        }
    }

    @Test
    void masksFollowTheSeedAndTheForwardsSinceIt() {
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 3)) {
            TrainingForward forward = new TrainingForward(LlamaParams.trainable(w), null, false, 0.3f);
            TokenBatch b = batch();
            forward.reseed(9);
            float first = loss(forward, b), second = loss(forward, b);
            assertNotEquals(first, second, "each forward draws its own masks");
            forward.reseed(9);
            assertEquals(first, loss(forward, b), "a reseed draws them again");
            assertEquals(second, loss(forward, b));
            forward.reseed(10);
            assertNotEquals(first, loss(forward, b), "another seed, other masks");
        }
    }

    @Test
    void aProbabilityOutsideZeroToOneIsRefused() {
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 3)) {
            assertThrows(IllegalArgumentException.class, () -> new TrainingForward(LlamaParams.trainable(w), null, false, 1f));
        }
    }

    private static float loss(TrainingForward forward, TokenBatch b) {
        return forward.loss(new Tape(TestPool.TWO_THREADS), b, b.weightSum()).value()[0];
    }
}

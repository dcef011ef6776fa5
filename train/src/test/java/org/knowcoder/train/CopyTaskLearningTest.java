package org.knowcoder.train;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 5, from scratch: a stories260K-sized model learns to copy. Each sequence is BOS, eight
 * random symbols, a separator and the same eight symbols again; only the copy is in the loss, so the
 * loss can only fall below 0.05 if attention learned to look back nine positions.
 */
class CopyTaskLearningTest {
    private static final LlamaConfig STORIES_260K = new LlamaConfig(64, 172, 5, 8, 4, 512, 32, 1e-5f, 10000f);
    private static final int HALF = 8, SEPARATOR = 3, FIRST_SYMBOL = 4, SYMBOLS = 32;
    private static final int STEPS = 200, BATCH = 16;

    @Test
    void copiedHalfReachesLossUnderFiveHundredths() {
        try (WorkerPool pool = new WorkerPool(2); LlamaWeights w = RandomWeights.create(STORIES_260K, false, 7)) {
            LlamaParams params = LlamaParams.trainable(w);
            Trainer trainer = new Trainer(new TrainingForward(params, null), Parameter.of(params), AdamW.knowCoder(),
                    LrSchedule.withWarmupRatio(3e-3, 0.05, STEPS, 0.1), 1.0, new Tape(pool));
            Examples data = copyTask(4096, 11);
            double last = Double.NaN;
            for (int s = 0; s < STEPS; s++) {
                last = trainer.step(data.step(s, BATCH, BATCH)).loss();
            }
            assertTrue(last < 0.05, "copy loss after " + STEPS + " steps: " + last);
        }
    }

    private static Examples copyTask(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Examples.Example> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] t = new int[2 * HALF + 2], mask = new int[t.length];
            t[0] = 1;
            t[HALF + 1] = SEPARATOR;
            for (int j = 1; j <= HALF; j++) {
                t[j] = t[HALF + 1 + j] = FIRST_SYMBOL + rng.nextInt(SYMBOLS);
                mask[HALF + 1 + j] = 1;
            }
            list.add(new Examples.Example(t, mask));
        }
        return new Examples(list, 2 * HALF + 1, seed);
    }
}

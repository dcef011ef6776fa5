package org.knowcoder.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowcoder.io.BadInputException;
import org.knowcoder.parallel.WorkerPool;

import java.io.IOException;
import java.nio.file.Path;
import org.knowcoder.testing.TestPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 4: micro-batches add up to the big batch; a run stopped at 50 and resumed ends
 * bit-identical to 100 straight steps, in F32 and with BF16 weights and activations.
 */
class AccumulationAndResumeTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    @Test
    void fourMicroBatchesOfOneEqualOneBatchOfFour() {
        Examples data = TinyRun.examples(16, 3);
        Trainer big = TinyRun.trainer(POOL, 1, 10), small = TinyRun.trainer(POOL, 1, 10);
        for (int s = 0; s < 3; s++) {
            assertEquals(big.accumulate(data.step(s, 4, 4)), small.accumulate(data.step(s, 4, 1)), 1e-5);
            for (int i = 0; i < big.params().size(); i++) {
                float[] x = big.params().get(i).var().grad(), y = small.params().get(i).var().grad();
                double diff = 0, norm = 0;
                for (int j = 0; j < x.length; j++) {
                    diff += (x[j] - y[j]) * (x[j] - y[j]);
                    norm += x[j] * x[j];
                }
                assertTrue(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm), big.params().get(i).name() + " step " + s);
            }
            big.update(0, 0);
            small.update(0, 0);
        }
    }

    @ParameterizedTest(name = "bf16 {0}")
    @ValueSource(booleans = {false, true})
    void resumedRunIsBitIdentical(boolean bf16, @TempDir Path dir) throws IOException {
        Examples data = TinyRun.examples(40, 5);
        Trainer straight = TinyRun.trainer(POOL, 2, 100, bf16);
        for (int s = 0; s < 100; s++) straight.step(data.step(s, 4, 2));

        Trainer first = TinyRun.trainer(POOL, 2, 100, bf16);
        for (int s = 0; s < 50; s++) first.step(data.step(s, 4, 2));
        TrainingCheckpoint.save(dir, first, JsonNodeFactory.instance.objectNode().put("seed", 5));

        Trainer resumed = TinyRun.trainer(POOL, 99, 100, bf16); // other initial weights: everything must come from the checkpoint
        Path latest = TrainingCheckpoint.latest(dir);
        assertEquals(50, TrainingCheckpoint.load(latest, resumed).path("step").asInt());
        Examples reread = TinyRun.examples(40, 5);
        while (resumed.step() < 100) resumed.step(reread.step(resumed.step(), 4, 2));

        for (int i = 0; i < straight.params().size(); i++) {
            String name = straight.params().get(i).name();
            assertArrayEquals(straight.params().get(i).var().value(), resumed.params().get(i).var().value(), 0f, name);
            assertArrayEquals(straight.optimizer().firstMoments().get(name), resumed.optimizer().firstMoments().get(name), 0f, name);
            assertArrayEquals(straight.optimizer().secondMoments().get(name), resumed.optimizer().secondMoments().get(name), 0f, name);
        }
    }

    @Test
    void checkpointOfAnotherShapeIsRejectedBeforeAnyStep(@TempDir Path dir) throws IOException {
        Trainer t = TinyRun.trainer(POOL, 1, 10);
        t.step(TinyRun.examples(8, 1).step(0, 2, 2));
        Path saved = TrainingCheckpoint.save(dir, t, JsonNodeFactory.instance.objectNode());
        try (var w = org.knowcoder.model.RandomWeights.create(new org.knowcoder.model.LlamaConfig(32, 32, 2, 2, 1, 40, 16, 1e-5f, 1e4f), false, 1)) {
            var params = org.knowcoder.model.training.LlamaParams.trainable(w);
            Trainer other = new Trainer(new org.knowcoder.model.training.TrainingForward(params, null), Parameter.of(params),
                    AdamW.knowCoder(), new LrSchedule(1e-3, 0, 10, 0.1), 1, new org.knowcoder.tensor.autograd.Tape(POOL));
            float[] before = other.params().getFirst().var().value().clone();
            BadInputException e = assertThrows(BadInputException.class, () -> TrainingCheckpoint.load(saved, other));
            assertTrue(e.getMessage().contains("different model shape"), e.getMessage());
            assertArrayEquals(before, other.params().getFirst().var().value(), 0f);
            assertEquals(0, other.step());
        }
    }
}

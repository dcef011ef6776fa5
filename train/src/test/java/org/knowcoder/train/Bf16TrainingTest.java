package org.knowcoder.train;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

import java.util.List;
import org.knowcoder.testing.TestPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BF16 weights and activations over F32 masters (resume: {@link AccumulationAndResumeTest}). */
class Bf16TrainingTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    private static boolean bf16(float[] v) {
        for (float x : v) if ((Float.floatToRawIntBits(x) & 0xFFFF) != 0) return false;
        return true;
    }

    @Test
    void lossIsCloseToF32AndComputedFromRoundedWeights() {
        List<TokenBatch> batch = TinyRun.examples(8, 4).step(0, 4, 4);
        double f32 = TinyRun.trainer(POOL, 1, 10).accumulate(batch);
        double bf16 = TinyRun.trainer(POOL, 1, 10, true).accumulate(batch);
        assertNotEquals(f32, bf16);
        assertEquals(f32, bf16, 0.02 * f32);

        // the same loss from the same weights rounded by hand, on a BF16 tape: the trainer reads BF16 copies
        try (LlamaWeights w = RandomWeights.create(TinyRun.CONFIG, false, 1)) {
            LlamaParams params = LlamaParams.trainable(w);
            for (Var v : params.named().values()) {
                float[] x = v.value();
                for (int i = 0; i < x.length; i++) x[i] = Half.roundToBf16(x[i]);
            }
            TokenBatch b = batch.getFirst();
            Tape tape = new Tape(POOL, true);
            Var loss = new TrainingForward(params, null).loss(tape, b, b.weightSum());
            tape.clear();
            assertEquals(bf16, loss.value()[0], 0.0);
        }
    }

    @Test
    void everyLogitIsBf16() {
        try (LlamaWeights w = RandomWeights.create(TinyRun.CONFIG, false, 2)) {
            TrainingForward forward = new TrainingForward(LlamaParams.trainable(w), null, true);
            Tape tape = new Tape(POOL, true);
            Var logits = forward.logits(tape, new int[] {1, 5, 9, 2, 7, 3, 30, 4}, 4);
            tape.clear();
            assertTrue(bf16(logits.value()));
        }
    }

    @Test
    void mastersStayF32() {
        Trainer t = TinyRun.trainer(POOL, 3, 10, true);
        Examples data = TinyRun.examples(16, 6);
        for (int s = 0; s < 3; s++) t.step(data.step(s, 4, 2));
        for (Parameter p : t.params()) assertTrue(!bf16(p.var().value()), p.name() + " holds BF16 values after 3 steps");
    }
}

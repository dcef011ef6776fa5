package org.knowcoder.train;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.parallel.WorkerPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An adapter applied unmerged at inference gives the logits of the merged model (1e-4); on a tiny random model and adapter. */
class LoraInferenceTest {
    @Test
    void unmergedInferenceMatchesMergedWeights() {
        try (LlamaWeights base = RandomWeights.create(TinyRun.CONFIG, false, 3); WorkerPool pool = new WorkerPool(2)) {
            LoraAdapter adapter = TinyRun.adapter(base.config());
            int[] prompt = {1, 4, 30, 17, 25, 9, 3};
            LlamaSession unmerged = new LlamaSession(base, pool);
            unmerged.useAdapter(adapter.forInference());
            float[] a = unmerged.prefill(prompt, 0).clone();
            float[] a2 = unmerged.forward(5, prompt.length).clone();

            LlamaParams params = LlamaParams.trainable(base);
            adapter.mergeInto(params);
            LlamaSession merged = new LlamaSession(params.toWeights(), pool);
            float[] b = merged.prefill(prompt, 0), b2;
            float maxDiff = 0;
            for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            b2 = merged.forward(5, prompt.length);
            for (int i = 0; i < a2.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a2[i] - b2[i]));
            assertTrue(maxDiff < 1e-4, "max |unmerged - merged| = " + maxDiff);
            float[] plain = new LlamaSession(base, pool).prefill(prompt, 0);
            float change = 0;
            for (int i = 0; i < a.length; i++) change = Math.max(change, Math.abs(a[i] - plain[i]));
            assertTrue(change > 1e-3, "the adapter changes the logits: " + change);
            assertEquals(a.length, plain.length);
        }
    }
}

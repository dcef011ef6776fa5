package org.knowcoder.model.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.autograd.Tape;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The function training optimizes is the one inference runs: the training forward's logits equal
 * the decoding session's at every position, token by token and prefilled, for a model shaped like
 * KnowCoder-mini (heads of 32, untied classifier) read back from the Hugging Face files the recipe
 * writes (rotate-half q/k rows, which both paths must undo alike). A model that trains to a low loss
 * and then decodes as if untrained would point here first.
 */
class TrainingMatchesInferenceTest {
    private static final LlamaConfig MINI_SHAPED = new LlamaConfig(64, 96, 2, 2, 2, 300, 128, 1e-5f, 10000f);

    @Test
    void trainingLogitsAreTheSessionsAtEveryPosition(@TempDir Path dir) throws Exception {
        try (LlamaWeights random = RandomWeights.initial(MINI_SHAPED, false, 5)) {
            HuggingFaceWriter.write(random, dir, DType.F32);
        }
        int[] tokens = new int[100];
        Random r = new Random(9);
        tokens[0] = 1;
        for (int i = 1; i < tokens.length; i++) tokens[i] = 3 + r.nextInt(MINI_SHAPED.vocabSize() - 3);
        try (LlamaWeights w = Checkpoints.load(dir); WorkerPool pool = new WorkerPool(2)) {
            int vocab = w.config().vocabSize();
            float[] trained = new TrainingForward(LlamaParams.frozen(w), null).logits(new Tape(pool), tokens, tokens.length).value();
            LlamaSession session = new LlamaSession(w, pool);
            float maxDiff = 0;
            for (int pos = 0; pos < tokens.length; pos++) {
                float[] decoded = session.forward(tokens[pos], pos);
                for (int v = 0; v < vocab; v++) maxDiff = Math.max(maxDiff, Math.abs(decoded[v] - trained[pos * vocab + v]));
            }
            float[] prefilled = new LlamaSession(w, pool).prefill(tokens, 0);
            for (int v = 0; v < vocab; v++) maxDiff = Math.max(maxDiff, Math.abs(prefilled[v] - trained[(tokens.length - 1) * vocab + v]));
            // the tolerance must be far below what attention contributes: the last position's logits move
            // by more than a thousand times it when the context before it changes
            int[] other = tokens.clone();
            for (int i = 1; i < other.length - 1; i++) other[i] = tokens[other.length - 1 - i];
            float[] moved = new LlamaSession(w, pool).prefill(other, 0);
            float contextEffect = 0;
            for (int v = 0; v < vocab; v++) contextEffect = Math.max(contextEffect, Math.abs(moved[v] - prefilled[v]));
            assertTrue(contextEffect > 1e-2, "the context changes the logits by " + contextEffect);
            assertTrue(maxDiff < 1e-5, "max |session - training forward| = " + maxDiff);
        }
    }
}

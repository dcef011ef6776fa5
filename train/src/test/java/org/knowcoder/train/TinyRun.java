package org.knowcoder.train;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.Projection;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny random model and synthetic data, for tests that train for many steps in a second or two. */
final class TinyRun {
    static final LlamaConfig CONFIG = new LlamaConfig(16, 32, 2, 2, 1, 40, 16, 1e-5f, 10000f);

    private TinyRun() {}

    static Trainer trainer(WorkerPool pool, long seed, int totalSteps) {
        return trainer(pool, seed, totalSteps, false);
    }

    /** With {@code bf16}: BF16 weights and activations over F32 masters. */
    static Trainer trainer(WorkerPool pool, long seed, int totalSteps, boolean bf16) {
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, seed)) {
            LlamaParams params = LlamaParams.trainable(w);
            return new Trainer(new TrainingForward(params, null), Parameter.of(params), AdamW.knowCoder(),
                    LrSchedule.withWarmupRatio(1e-2, 0.1, totalSteps, 0.1), 1.0, new Tape(pool, bf16));
        }
    }

    /** A LoRA adapter (rank 4, dropout 0.2) on every projection, its A and B filled with values: B starts at zero, which would hide its effect. */
    static LoraAdapter adapter(LlamaConfig model) {
        LoraAdapter a = LoraAdapter.create(new LoraConfig(4, 8, 0.2, EnumSet.allOf(Projection.class)), model, 11);
        for (Parameter p : a.parameters()) {
            float[] v = p.var().value();
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.37 + p.name().length());
        }
        a.reseed(5);
        return a;
    }

    /** Random sequences of 5 to 12 tokens. */
    static Examples examples(int n, long seed) {
        return examples(n, seed, false);
    }

    /** As above, packed several to a sequence with {@code pack}. */
    static Examples examples(int n, long seed, boolean pack) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Examples.Example> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] t = new int[5 + rng.nextInt(8)];
            for (int j = 0; j < t.length; j++) t[j] = rng.nextInt(CONFIG.vocabSize());
            list.add(new Examples.Example(t, null));
        }
        return new Examples(list, 8, seed, pack);
    }
}

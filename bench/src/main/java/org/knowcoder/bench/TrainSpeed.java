package org.knowcoder.bench;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.train.AdamW;
import org.knowcoder.train.LrSchedule;
import org.knowcoder.train.Parameter;
import org.knowcoder.train.Trainer;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Full-parameter training speed of a 15M-parameter LLaMA (llama2.c's stories15M shape: dim 288,
 * 6 layers, 6 heads, hidden 768, vocab 32000) on random tokens: each step is forward, backward,
 * clipping and AdamW over one batch, as bench/pytorch/train_speed.py does in PyTorch. Prints one
 * JSON line with tokens/s over the timed steps (after untimed warm-up steps for the JIT).
 * Arguments: [threads 2] [batch 8] [seqLen 256] [warmup 2] [steps 5].
 */
public final class TrainSpeed {
    private TrainSpeed() {}

    public static void main(String[] args) {
        int threads = arg(args, 0, 2), batch = arg(args, 1, 8), seqLen = arg(args, 2, 256), warmup = arg(args, 3, 2), steps = arg(args, 4, 5);
        LlamaConfig config = new LlamaConfig(288, 768, 6, 6, 6, 32000, seqLen, 1e-5f, 10000f);
        try (WorkerPool pool = new WorkerPool(threads); LlamaWeights w = RandomWeights.create(config, false, 1)) {
            LlamaParams params = LlamaParams.trainable(w);
            Trainer trainer = new Trainer(new TrainingForward(params, null), Parameter.of(params), AdamW.knowCoder(),
                    new LrSchedule(3e-4, 0, warmup + steps, 0.1), 1.0, new Tape(pool));
            List<TokenBatch> data = List.of(randomBatch(batch, seqLen, config.vocabSize()));
            for (int s = 0; s < warmup; s++) trainer.step(data);
            long t0 = System.nanoTime();
            double loss = 0;
            for (int s = 0; s < steps; s++) loss = trainer.step(data).loss();
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("{\"engine\": \"knowcoder\", \"threads\": %d, \"batch\": %d, \"seq_len\": %d, \"steps\": %d, "
                            + "\"tokens_per_s\": %.1f, \"s_per_step\": %.3f, \"last_loss\": %.4f}%n",
                    threads, batch, seqLen, steps, (double) steps * batch * seqLen / seconds, seconds / steps, loss);
        }
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    private static TokenBatch randomBatch(int batch, int seqLen, int vocab) {
        SplittableRandom rng = new SplittableRandom(7);
        int[][] seqs = new int[batch][seqLen + 1];
        for (int[] s : seqs) for (int j = 0; j < s.length; j++) s[j] = rng.nextInt(vocab);
        return TokenBatch.of(seqs, null);
    }
}

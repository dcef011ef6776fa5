package org.knowcoder.bench;

import org.knowcoder.model.DecodingSession;
import org.knowcoder.model.LlamaSession;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.Sampler;
import org.knowcoder.tensor.WorkerPool;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Decode and prefill speed of one loaded model. Decoding is greedy from BOS and ignores EOS, so every
 * run feeds exactly the requested number of positions; each measurement follows an untimed run of
 * the same kind so the JIT has compiled the kernels (and the file's pages are resident); prefill
 * reports the median of three timed prompts.
 */
final class SpeedRun {
    private SpeedRun() {}

    /** Prefills timed after the warm-up; the median is reported (one prefill takes about a second, the machine's bandwidth wanders). */
    private static final int PREFILL_RUNS = 3;

    record Result(double decodeTokensPerSecond, double prefillTokensPerSecond) {}

    static Result measure(LlamaWeights weights, int threads, int decodeTokens, int promptTokens) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            LlamaSession session = new LlamaSession(weights, pool);
            decode(session, decodeTokens); // warm-up
            double decode = decode(session, decodeTokens);
            int[] prompt = randomPrompt(promptTokens, weights.config().vocabSize());
            session.prefill(prompt, 0); // warm-up: the whole prompt, so every chunk's attention shape is compiled
            double[] prefills = new double[PREFILL_RUNS];
            for (int i = 0; i < PREFILL_RUNS; i++) {
                long t0 = System.nanoTime();
                session.prefill(prompt, 0);
                prefills[i] = prompt.length / ((System.nanoTime() - t0) / 1e9);
            }
            Arrays.sort(prefills);
            return new Result(decode, prefills[PREFILL_RUNS / 2]);
        }
    }

    /** Tokens per second over positions 0..n-1, feeding back the argmax. */
    static double decode(DecodingSession session, int n) {
        Sampler greedy = new Sampler(session.config().vocabSize(), 0f, 0f, 0);
        int token = 1; // BOS
        long t0 = System.nanoTime();
        for (int pos = 0; pos < n; pos++) token = greedy.sample(session.forward(token, pos));
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /** BOS then random ids above the special tokens (0-2), seeded so every run sees the same prompt. */
    static int[] randomPrompt(int n, int vocab) {
        SplittableRandom rng = new SplittableRandom(1000);
        int[] ids = new int[n];
        ids[0] = 1;
        for (int i = 1; i < n; i++) ids[i] = 3 + rng.nextInt(vocab - 3);
        return ids;
    }
}

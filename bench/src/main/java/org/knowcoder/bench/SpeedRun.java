package org.knowcoder.bench;

import org.knowcoder.model.DecodingSession;
import org.knowcoder.model.LlamaSession;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.Sampler;
import org.knowcoder.tensor.WorkerPool;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Decode and prefill speed of several loaded models (the dtypes EndToEnd compares). Decoding is
 * greedy from BOS and ignores EOS, so every run feeds exactly the requested number of positions.
 * Every model first gets an untimed run of each kind, so the JIT has compiled its kernels (and the
 * file's pages are resident). Then come rounds in which each model is timed once
 * after the other: this machine's memory bandwidth drifts by tens of percent within seconds, and
 * interleaving makes the drift hit every model alike, so ratios are taken round by round. Decoders
 * in other processes ({@link ExternalDecode}) take their turn at the start of each round.
 */
final class SpeedRun {
    private SpeedRun() {}

    /** Tokens per second of each round, in round order; prefill is null for an external decoder. */
    record Result(double[] decode, double[] prefill) {}

    /**
     * Times every decoder in {@code external} and every model in {@code models} (by name, in order)
     * over {@code rounds} rounds; the results come in that order.
     */
    static Map<String, Result> measure(Map<String, Callable<Double>> external, Map<String, LlamaWeights> models, int rounds,
                                       int threads, int decodeTokens, int promptTokens) throws Exception {
        try (WorkerPool pool = new WorkerPool(threads)) {
            Map<String, Result> results = new LinkedHashMap<>();
            for (Map.Entry<String, Callable<Double>> e : external.entrySet()) {
                e.getValue().call(); // warm-up: the file's pages resident for it too
                results.put(e.getKey(), new Result(new double[rounds], null));
            }
            Map<String, LlamaSession> sessions = new LinkedHashMap<>();
            Map<String, int[]> prompts = new LinkedHashMap<>();
            for (Map.Entry<String, LlamaWeights> m : models.entrySet()) {
                LlamaSession session = new LlamaSession(m.getValue(), pool);
                int[] prompt = randomPrompt(promptTokens, m.getValue().config().vocabSize());
                decode(session, decodeTokens); // warm-up
                session.prefill(prompt, 0); // warm-up: the whole prompt, so every chunk's attention shape is compiled
                sessions.put(m.getKey(), session);
                prompts.put(m.getKey(), prompt);
                results.put(m.getKey(), new Result(new double[rounds], new double[rounds]));
            }
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, Callable<Double>> e : external.entrySet()) results.get(e.getKey()).decode()[r] = e.getValue().call();
                for (String name : models.keySet()) {
                    LlamaSession session = sessions.get(name);
                    int[] prompt = prompts.get(name);
                    results.get(name).decode()[r] = decode(session, decodeTokens);
                    long t0 = System.nanoTime();
                    session.prefill(prompt, 0);
                    results.get(name).prefill()[r] = prompt.length / ((System.nanoTime() - t0) / 1e9);
                }
                System.err.printf("  round %d of %d done%n", r + 1, rounds);
            }
            return results;
        }
    }

    /** The middle value (of an odd count; the upper middle of an even one). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
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

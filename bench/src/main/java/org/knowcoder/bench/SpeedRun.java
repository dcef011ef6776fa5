package org.knowcoder.bench;

import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.session.DecodingSession;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.model.session.Sampler;
import org.knowcoder.parallel.WorkerPool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Decode and prefill speed of the checkpoints EndToEnd compares, over rounds in which each is timed
 * once after the other: this machine's memory bandwidth drifts by tens of percent within seconds,
 * and interleaving makes the drift hit every checkpoint alike, so ratios are taken round by round.
 *
 * <p>Each timing runs in a JVM of its own ({@link #main}), as JMH forks: one process that decodes
 * several dtypes compiles the shared kernel code (MatVec, the worker pool) on their mixed profile.
 * In one such process Q8_0 decoded at 152 tok/s, against 270-290 in a JVM of its own. The forked JVM loads the checkpoint as {@code generate} does, gives
 * the JIT an untimed decode and prefill, then times one of each. Decoders in other processes
 * ({@link ExternalDecode}) take their turn at the start of each round.
 */
final class SpeedRun {
    private SpeedRun() {}

    /** Tokens per second of each round, in round order; an external decoder's prefill is NaN where it has none, its weight bytes 0. */
    record Result(double[] decode, double[] prefill, long weightBytes) {}

    /**
     * Times every decoder in {@code external} and every checkpoint in {@code models} (by name, in
     * order) over {@code rounds} rounds; the results come in that order.
     */
    static Map<String, Result> measure(Map<String, Callable<double[]>> external, Map<String, Path> models, int rounds,
                                       int threads, int decodeTokens, int promptTokens) throws Exception {
        Map<String, Result> results = new LinkedHashMap<>();
        for (Map.Entry<String, Callable<double[]>> e : external.entrySet()) {
            e.getValue().call(); // warm-up: the file's pages resident for it too
            results.put(e.getKey(), new Result(new double[rounds], new double[rounds], 0));
        }
        for (int r = 0; r < rounds; r++) {
            // the external decoders and ours take turns going first, so that the machine's drift hits both alike
            if (r % 2 == 0) timeExternal(external, results, r);
            for (Map.Entry<String, Path> m : models.entrySet()) {
                Timing timed = fork(m.getValue(), threads, decodeTokens, promptTokens);
                Result res = results.computeIfAbsent(m.getKey(), k -> new Result(new double[rounds], new double[rounds], timed.streamedBytes()));
                res.decode()[r] = timed.decode();
                res.prefill()[r] = timed.prefill();
            }
            if (r % 2 == 1) timeExternal(external, results, r);
            System.err.printf("  round %d of %d done%n", r + 1, rounds);
        }
        return results;
    }

    private static void timeExternal(Map<String, Callable<double[]>> external, Map<String, Result> results, int round) throws Exception {
        for (Map.Entry<String, Callable<double[]>> e : external.entrySet()) {
            double[] speeds = e.getValue().call();
            results.get(e.getKey()).decode()[round] = speeds[0];
            results.get(e.getKey()).prefill()[round] = speeds[1];
        }
    }

    /**
     * One forked timing ({@link #main}): decode and prefill tok/s, the weight bytes a decoded token
     * reads, the seconds from the start of loading to a session ready to run, the seconds of the
     * first token after it (where a mapped file's pages come in), and the JVM's peak resident set.
     */
    record Timing(double decode, double prefill, long streamedBytes, double loadSeconds, double firstTokenSeconds, long peakRssBytes) {}

    /** Runs {@link #main} in a new JVM with this one's options. */
    static Timing fork(Path model, int threads, int decodeTokens, int promptTokens) throws IOException, InterruptedException {
        return fork(ManagementFactory.getRuntimeMXBean().getInputArguments(), model, threads, decodeTokens, promptTokens);
    }

    /** Runs {@link #main} in a new JVM with options {@code jvmArgs}. */
    static Timing fork(List<String> jvmArgs, Path model, int threads, int decodeTokens, int promptTokens) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SpeedRun.class.getName(), model.toString(),
                Integer.toString(threads), Integer.toString(decodeTokens), Integer.toString(promptTokens)));
        double[] n = ExternalDecode.numbers(cmd, ProcessBuilder.Redirect.INHERIT, 6);
        return new Timing(n[0], n[1], (long) n[2], n[3], n[4], (long) n[5]);
    }

    /**
     * The forked JVM: {@code MODEL THREADS DECODE_TOKENS PROMPT_TOKENS}; prints "decode_tok_s
     * prefill_tok_s weight_bytes_per_token load_s first_token_s peak_rss_bytes" on one line.
     */
    public static void main(String[] args) throws IOException {
        int threads = Integer.parseInt(args[1]), decodeTokens = Integer.parseInt(args[2]), promptTokens = Integer.parseInt(args[3]);
        long start = System.nanoTime();
        // as generate loads it (F32 copied into heap arrays, small 16-bit models widened, the rest mapped)
        try (LlamaWeights w = ModelLoader.weights(Path.of(args[0]), null, true); WorkerPool pool = new WorkerPool(threads)) {
            LlamaSession session = new LlamaSession(w, pool);
            double load = (System.nanoTime() - start) / 1e9;
            long t0 = System.nanoTime();
            session.forward(1, 0);
            double firstToken = (System.nanoTime() - t0) / 1e9;
            int[] prompt = randomPrompt(promptTokens, w.config().vocabSize());
            decode(session, decodeTokens); // warm-up
            session.prefill(prompt, 0); // warm-up: the whole prompt, so every chunk's attention shape is compiled
            double decode = decode(session, decodeTokens);
            t0 = System.nanoTime();
            session.prefill(prompt, 0);
            double prefill = prompt.length / ((System.nanoTime() - t0) / 1e9);
            System.out.println(decode + " " + prefill + " " + streamedBytes(w) + " " + load + " " + firstToken + " "
                    + ProcStatus.bytes(ProcessHandle.current().pid(), "VmHWM"));
        }
    }

    /**
     * The weight bytes a decoded token reads: every matrix once, but not the embedding table (one
     * row of it, a few KB, left out), unless it is also the classifier (KV-cache reads left out; they are small from BOS).
     */
    static long streamedBytes(LlamaWeights w) {
        return w.weightBytes() - (w.sharedClassifier() ? 0 : w.tokenEmbedding().weightBytes());
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

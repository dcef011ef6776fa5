package org.knowcoder.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The serve load test (issue 18): starts {@code java -jar knowcoder.jar serve} on a free loopback
 * port (it talks to nothing else), and sends it one cycle of extractions and completions, first one
 * at a time, then from 64 clients at once, the server batching whatever is in flight; then SIGTERM.
 * It stops by itself: warm-up, the sequential phase and the load phase have fixed lengths.
 * Reports, as one JSON object on stdout: answers by status and connection errors, throughput of
 * each phase and their ratio, the load phase's p50/p95/p99 latency, and the server JVM's resident
 * set sampled each second of the load phase, compared between its second and last 20 s.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.knowcoder.bench.ServeLoad [--jar cli/target/knowcoder.jar]
 *     [--model models/knowcoder-mini] [--tokenizer PATH]
 *     [--clients 64] [--seconds 60] [--sequential-seconds 30] [--warmup-seconds 10] [--max-batch 64] [--threads 2]
 * </pre>
 * Exits 1 when a check fails (a 5xx, a connection error, less than 4x the sequential throughput,
 * resident-set growth over 5%, an exit code other than 0), after printing the report.
 */
public final class ServeLoad {
    private ServeLoad() {}

    private static final Usage USAGE = new Usage("usage: ServeLoad [--jar PATH] [--model PATH] [--tokenizer PATH] [--clients N] [--seconds N] "
            + "[--sequential-seconds N] [--warmup-seconds N] [--max-batch N] [--threads N]");
    /** The bar: batching at least this many times the throughput of one request at a time. */
    static final double MIN_SPEEDUP = 4;
    /** Resident-set growth between the load phase's second and last 20 s that still counts as stable (GC and JIT noise). */
    static final double MAX_RSS_GROWTH = 0.05;
    private static final int WINDOW_S = 20;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("cli", "target", "knowcoder.jar");
        Path model = Path.of("models", "knowcoder-mini"); // the shipped small model, the subject
        Path tokenizer = null;
        int clients = 64, seconds = 60, sequentialSeconds = 30, warmupSeconds = 10, maxBatch = 64, threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jar" -> jar = Path.of(USAGE.value(args, ++i));
                case "--model" -> model = Path.of(USAGE.value(args, ++i));
                case "--tokenizer" -> tokenizer = Path.of(USAGE.value(args, ++i));
                case "--clients" -> clients = USAGE.positive(args, ++i);
                case "--seconds" -> seconds = USAGE.positive(args, ++i);
                case "--sequential-seconds" -> sequentialSeconds = USAGE.positive(args, ++i);
                case "--warmup-seconds" -> warmupSeconds = USAGE.positive(args, ++i);
                case "--max-batch" -> maxBatch = USAGE.positive(args, ++i);
                case "--threads" -> threads = USAGE.positive(args, ++i);
                default -> USAGE.fail("unknown argument " + args[i]);
            }
        }
        if (seconds < 3 * WINDOW_S) USAGE.fail("--seconds must be at least " + 3 * WINDOW_S + ": the resident set of the second " + WINDOW_S + " s is compared with the last's");
        if (!Files.isRegularFile(jar)) throw new NoSuchFileException(jar.toString(), null, "build the jar (mvn package) or pass --jar");
        for (Path p : tokenizer == null ? List.of(model) : List.of(model, tokenizer)) {
            if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "pass the path");
        }

        ObjectMapper json = new ObjectMapper();
        ObjectNode report = json.createObjectNode();
        report.put("model", model.getFileName().toString()).put("clients", clients).put("max_batch", maxBatch).put("threads", threads)
                .put("cores", Runtime.getRuntime().availableProcessors());
        Process server = start(jar, model, tokenizer, clients, maxBatch, threads);
        boolean passed;
        try {
            URI url = ready(server);
            LoadPhase phase = new LoadPhase(url, LoadPhase.cycle(64));
            System.err.println("load: warming up for " + warmupSeconds + " s ...");
            phase.run(clients, Duration.ofSeconds(warmupSeconds), new AtomicLong());
            System.err.println("load: one request at a time for " + sequentialSeconds + " s ...");
            LoadPhase.Result sequential = phase.run(1, Duration.ofSeconds(sequentialSeconds), new AtomicLong());
            System.err.println("load: " + clients + " clients for " + seconds + " s ...");
            long pid = server.descendants().findFirst().map(ProcessHandle::pid).orElse(server.pid()); // the relaunched JVM
            List<long[]> rss = new CopyOnWriteArrayList<>();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> sample(pid, rss));
            LoadPhase.Result load = phase.run(clients, Duration.ofSeconds(seconds), new AtomicLong());
            sampler.interrupt();
            passed = report(report, sequential, load, rss, seconds);
        } finally {
            server.toHandle().destroy(); // SIGTERM: serve finishes what is in flight and exits 0
            if (!server.waitFor(180, TimeUnit.SECONDS)) server.destroyForcibly();
        }
        int exit = server.waitFor();
        report.put("exit_code_after_sigterm", exit);
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        if (!passed || exit != 0) System.exit(1);
    }

    private static Process start(Path jar, Path model, Path tokenizer, int clients, int maxBatch, int threads) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "serve", "--host", "127.0.0.1", "--port", "0", "--model", model.toString(),
                "--max-batch", String.valueOf(maxBatch), "--max-queue", String.valueOf(Math.max(64, clients)), "--threads", String.valueOf(threads),
                "--max-new-tokens", "64"));
        if (tokenizer != null) cmd.addAll(List.of("--tokenizer", tokenizer.toString())); // else serve finds the model's own
        System.err.println("load: " + String.join(" ", cmd));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The URL from serve's "listening on" line, once its "ready" line is out; the rest of stderr is relayed. */
    private static URI ready(Process server) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            URI url = null;
            try {
                for (String line; (line = err.readLine()) != null; ) {
                    System.err.println("  " + line);
                    if (line.startsWith("serve: listening on ")) url = URI.create(line.substring("serve: listening on ".length()).strip());
                    if (line.startsWith("serve: ready") && url != null) ready.complete(url);
                }
            } catch (IOException e) {
                // the server is gone
            }
            ready.completeExceptionally(new IOException("serve ended before it was ready"));
        });
        return ready.get(300, TimeUnit.SECONDS);
    }

    /** Each second: {seconds since the phase began, the JVM's VmRSS in bytes}. */
    private static void sample(long pid, List<long[]> out) {
        long start = System.nanoTime();
        try {
            for (long s = 0; ; s++) {
                long rss = ProcStatus.bytes(pid, "VmRSS");
                if (rss > 0) out.add(new long[] {s, rss});
                Thread.sleep(Math.max(0, start + (s + 1) * 1_000_000_000L - System.nanoTime()) / 1_000_000);
            }
        } catch (InterruptedException e) {
            // the phase is over
        }
    }

    private static boolean report(ObjectNode report, LoadPhase.Result sequential, LoadPhase.Result load, List<long[]> rss, int seconds) {
        phase(report.putObject("sequential"), sequential);
        phase(report.putObject("concurrent"), load);
        double speedup = load.throughput() / sequential.throughput();
        report.put("throughput_ratio", round(speedup));
        // the second and the last WINDOW_S seconds of the load phase
        long[] second = window(rss, WINDOW_S, 2 * WINDOW_S), last = window(rss, seconds - WINDOW_S, seconds);
        double growth = second[1] == 0 ? Double.NaN : (double) last[1] / second[1] - 1;
        ObjectNode memory = report.putObject("rss_mb");
        memory.put("second_window_mean", second[0] / 1e6).put("second_window_max", second[1] / 1e6)
                .put("last_window_mean", last[0] / 1e6).put("last_window_max", last[1] / 1e6).put("growth_of_max", round(growth));
        ObjectNode checks = report.putObject("checks");
        checks.put("no_5xx", load.serverErrors() == 0 && sequential.serverErrors() == 0)
                .put("no_connection_errors", load.connectionErrors() == 0 && sequential.connectionErrors() == 0)
                .put("throughput_at_least_4x", speedup >= MIN_SPEEDUP)
                .put("rss_stable", growth <= MAX_RSS_GROWTH);
        boolean passed = true;
        for (var it = checks.elements(); it.hasNext(); ) passed &= it.next().asBoolean();
        return passed;
    }

    private static void phase(ObjectNode out, LoadPhase.Result r) {
        out.put("clients", r.clients()).put("seconds", round(r.seconds())).put("answered_200", r.ok()).put("throughput_per_s", round(r.throughput()))
                .put("server_errors_5xx", r.serverErrors()).put("connection_errors", r.connectionErrors())
                .put("latency_p50_s", round(r.percentile(0.50))).put("latency_p95_s", round(r.percentile(0.95))).put("latency_p99_s", round(r.percentile(0.99)));
        ObjectNode statuses = out.putObject("statuses");
        r.statuses().forEach((status, n) -> statuses.put(String.valueOf(status), n));
    }

    /** {mean, max} of the samples taken from second {@code from} (inclusive) to {@code to}; zeros when none. */
    private static long[] window(List<long[]> samples, int from, int to) {
        long sum = 0, max = 0, n = 0;
        for (long[] s : samples) {
            if (s[0] < from || s[0] >= to) continue;
            sum += s[1];
            max = Math.max(max, s[1]);
            n++;
        }
        return new long[] {n == 0 ? 0 : sum / n, max};
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

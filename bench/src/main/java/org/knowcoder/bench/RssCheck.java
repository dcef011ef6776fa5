package org.knowcoder.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Checks the memory promise of the design: generating from a BF16 Hugging Face checkpoint keeps the
 * resident set within the file size plus the KV cache plus 200 MB. It runs the CLI's generate
 * command as users do ({@code java -jar knowcoder.jar}) and polls /proc for the peak resident set
 * (VmHWM) of the JVM that maps the weights: the jar's Launcher relaunches the JVM with the Vector
 * API flags, so that is the launched process's child.
 */
final class RssCheck {
    private RssCheck() {}

    static final long ALLOWANCE = 200_000_000L;

    record Result(long peakRssBytes, long fileBytes, long kvCacheBytes, long budgetBytes, int exitCode,
                  int generatedTokens, List<String> command) {
        boolean withinBudget() {
            return exitCode == 0 && peakRssBytes > 0 && peakRssBytes <= budgetBytes;
        }
    }

    /** Runs the CLI with {@code jvmArgs} added to its JVM's options (none, to measure it as users run it). */
    static Result run(Path jar, List<String> jvmArgs, BenchModel model, int steps, int threads)
            throws IOException, InterruptedException {
        List<String> cmd = ExternalDecode.generate(jar, jvmArgs, model.bf16(), steps, threads);
        long fileBytes = Files.size(model.bf16().resolve("model.safetensors")) + Files.size(model.bf16().resolve("config.json"));
        long budget = fileBytes + model.kvCacheBytes() + ALLOWANCE;
        Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> ExternalDecode.readAll(child.getInputStream()));
        long peak = ProcStatus.peakWhileAlive(child);
        int exit = child.waitFor();
        String ids = stdout.join().strip();
        int generated = ids.isEmpty() ? 0 : ids.split("\\s+").length;
        return new Result(peak, fileBytes, model.kvCacheBytes(), budget, exit, generated, cmd);
    }
}

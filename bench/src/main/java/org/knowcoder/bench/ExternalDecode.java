package org.knowcoder.bench;

import org.knowcoder.io.AtomicWrite;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A decoding run in another process, as {decode tok/s, prefill tok/s (NaN when it has none)}:
 * llama2.c's {@code run.c} and our CLI's {@code generate} as users start it (JIT warm-up included,
 * which the in-process runs leave out), both reporting an {@code achieved tok/s: X} line on stderr
 * after decoding greedily from BOS on the F32 llama2.c file, counting the positions after the
 * first; and llama.cpp's own loop on a GGUF file. Their tok/s compare directly with each other and
 * with {@link SpeedRun#decode}.
 */
final class ExternalDecode {
    private ExternalDecode() {}

    private static final Pattern TOK_S = Pattern.compile("achieved tok/s: ([0-9.]+)");

    /**
     * llama2.c's {@code run} (built from run.c, e.g. {@code gcc -Ofast -march=native -fopenmp run.c -lm})
     * on {@code model}'s F32 file with {@code threads} OpenMP threads. llama2.c reads a tokenizer even
     * for an empty prompt, so a placeholder one of the model's vocabulary size is written beside the model.
     */
    static Callable<double[]> llama2c(Path run, BenchModel model, int tokens, int threads) throws IOException {
        if (!Files.isExecutable(run)) throw new NoSuchFileException(run.toString(), null, "--llama2c needs llama2.c's built run binary");
        Path tokenizer = model.f32().resolveSibling(model.name() + "-tokenizer.bin");
        if (!Files.exists(tokenizer)) writePlaceholderTokenizer(tokenizer, model.config().vocabSize());
        List<String> cmd = List.of(run.toString(), model.f32().toString(), "-z", tokenizer.toString(),
                "-t", "0", "-n", Integer.toString(tokens));
        return () -> new double[] {tokPerSecond(cmd, threads), Double.NaN};
    }

    /** Our CLI's greedy generate from BOS on the F32 file, as {@code java -jar} starts it. */
    static Callable<double[]> cli(Path jar, BenchModel model, int tokens, int threads) throws IOException {
        List<String> cmd = generate(jar, List.of(), model.f32(), tokens, threads);
        return () -> new double[] {tokPerSecond(cmd, threads), Double.NaN};
    }

    /**
     * llama.cpp through its own decode loop: {@code bench/llamacpp/setup.sh}'s {@code llama_driver speed}
     * on a GGUF file, which measures what {@link SpeedRun} measures (greedy decode from BOS, then the
     * prefill of the same prompt) and prints "decode_tok_s prefill_tok_s". EndToEnd checks the driver
     * before it converts anything.
     */
    static Callable<double[]> llamaCpp(Path driver, Path gguf, int tokens, int prompt, int threads) {
        List<String> cmd = llamaCppCommand(driver, gguf, tokens, prompt, threads);
        return () -> numbers(cmd, ProcessBuilder.Redirect.DISCARD, 2);
    }

    /** The command line of {@code llama_driver speed} (see {@link #llamaCpp}). */
    static List<String> llamaCppCommand(Path driver, Path gguf, int tokens, int prompt, int threads) {
        return List.of(driver.toString(), "speed", gguf.toString(), Integer.toString(threads), Integer.toString(tokens),
                Integer.toString(prompt));
    }

    /** What a timing process printed, and its peak resident set in bytes (0 where it was not watched). */
    record Measured(double[] numbers, long peakRssBytes) {}

    /** Runs {@code cmd} and returns the {@code count} numbers it prints on stdout, separated by white space. */
    static double[] numbers(List<String> cmd, ProcessBuilder.Redirect stderr, int count) throws IOException, InterruptedException {
        return run(cmd, stderr, count, false).numbers();
    }

    /** {@link #numbers}, and the process's peak resident set, polled while it runs ({@link ProcStatus#peakWhileAlive}). */
    static Measured measured(List<String> cmd, ProcessBuilder.Redirect stderr, int count) throws IOException, InterruptedException {
        return run(cmd, stderr, count, true);
    }

    private static Measured run(List<String> cmd, ProcessBuilder.Redirect stderr, int count, boolean watch)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(stderr).start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        long peak = watch ? ProcStatus.peakWhileAlive(p) : 0;
        String out = stdout.join().strip();
        int exit = p.waitFor();
        String[] fields = out.split("\\s+");
        if (exit != 0 || fields.length != count) {
            throw new IOException(String.join(" ", cmd) + " exited " + exit + " printing '" + out + "', not " + count + " numbers");
        }
        return new Measured(Arrays.stream(fields).mapToDouble(Double::parseDouble).toArray(), peak);
    }

    /**
     * {@code java [jvmArgs] -jar jar generate} greedily from BOS on {@code model} for {@code steps}
     * positions, the ids on stdout: the CLI run as users start it.
     */
    static List<String> generate(Path jar, List<String> jvmArgs, Path model, int steps, int threads) throws IOException {
        if (!Files.isRegularFile(jar)) throw new NoSuchFileException(jar.toString(), null, "build the CLI first (mvn package) or pass --jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString(), "generate", "--model", model.toString(), "--prompt-ids", "1", "--output-ids",
                "--temperature", "0", "--steps", Integer.toString(steps), "--threads", Integer.toString(threads)));
        return cmd;
    }

    /** Runs {@code cmd} (stdout thrown away) and returns the tok/s it printed; fails with its stderr when it printed none. */
    static double tokPerSecond(List<String> cmd, int threads) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        Process p = pb.start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        int exit = p.waitFor();
        String err = stderr.join();
        Matcher m = TOK_S.matcher(err);
        if (exit != 0 || !m.find()) {
            throw new IOException(String.join(" ", cmd) + " exited " + exit + " without an 'achieved tok/s' line; its stderr:\n" + err);
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * A tokenizer.bin in llama2.c's format (int32 max piece length; per piece a float32 score, an
     * int32 length and the bytes) whose pieces are "t0", "t1", ...: decoding a random model's
     * tokens needs nothing more.
     */
    static void writePlaceholderTokenizer(Path file, int vocab) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<byte[]> pieces = new ArrayList<>();
        int longest = 0;
        for (int i = 0; i < vocab; i++) {
            byte[] piece = ("t" + i).getBytes(StandardCharsets.US_ASCII);
            pieces.add(piece);
            longest = Math.max(longest, piece.length);
        }
        bytes.write(littleEndian(4).putInt(longest).array());
        for (byte[] piece : pieces) {
            bytes.write(littleEndian(8).putFloat(0f).putInt(piece.length).array());
            bytes.write(piece);
        }
        AtomicWrite.write(file, bytes.toByteArray());
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** All of {@code in} as UTF-8 (empty when reading it fails). */
    static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}

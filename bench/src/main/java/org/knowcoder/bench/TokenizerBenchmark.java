package org.knowcoder.bench;

import org.knowcoder.tokenizer.spm.SentencePieceTokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * SentencePiece encoding on one thread, line by line as {@code spm_encode} does, reported as MB of
 * UTF-8 input per second ({@code :mbPerSecond}). The model defaults to the LLaMA-2 fixture; the
 * text defaults to this repository's README and Java sources (English and code), or {@code -p corpus=FILE}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenizerBenchmark {
    @Param("../shared/fixtures/tokenizer/llama2-tokenizer.model")
    public String model;

    @Param("")
    public String corpus;

    private SentencePieceTokenizer tokenizer;
    private byte[][] lines;
    private double megabytes;

    /** Megabytes (1e6 bytes) encoded per second: the {@code mbPerSecond} secondary result. */
    @State(Scope.Thread)
    @org.openjdk.jmh.annotations.AuxCounters(org.openjdk.jmh.annotations.AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        public double mbPerSecond;

        @Setup(Level.Iteration)
        public void reset() {
            mbPerSecond = 0;
        }
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        tokenizer = SentencePieceTokenizer.load(Path.of(model));
        List<byte[]> all = new ArrayList<>();
        for (String line : text().split("\n")) all.add(line.getBytes(StandardCharsets.UTF_8));
        lines = all.toArray(byte[][]::new);
        long bytes = 0;
        for (byte[] l : lines) bytes += l.length + 1;
        megabytes = bytes / 1e6;
    }

    private String text() throws IOException {
        if (!corpus.isEmpty()) return Files.readString(Path.of(corpus));
        StringBuilder sb = new StringBuilder(Files.readString(Path.of("README.md")));
        try (Stream<Path> files = Files.walk(Path.of("."))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/")).sorted().toList()) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }

    @Benchmark
    public void encodeLines(Throughput throughput, Blackhole sink) {
        for (byte[] line : lines) sink.consume(tokenizer.encode(line, line.length, false, false));
        throughput.mbPerSecond += megabytes;
    }
}

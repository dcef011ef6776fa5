package org.knowcoder.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 19's "7B on this machine": a random model of LLaMA-2-7B's shape written by the bench
 * ({@link SevenBFiles}: F16 safetensors and .bin shards, GGUF copies in F16, Q8_0, Q4_0 and Q4_K),
 * then, per file and each in a process of its own, our engine's load time, first token, peak
 * resident set against file + KV cache + 300 MB, decode and prefill tok/s ({@link SpeedRun}), and
 * the weight bandwidth its decode reaches against the read bandwidth measured just before
 * ({@link ReadBandwidth}; goal 0.85); and llama.cpp's decode and prefill on the same GGUF files,
 * the two engines taking turns going first from round to round. One JSON object on stdout; progress
 * and a markdown table on stderr. Exits 1 when a resident set is over its bound, after the report.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp bench/target/benchmarks.jar org.knowcoder.bench.SevenB [--out bench-out] [--shape llama7b|tiny|stories110m|1b]
 *     [--context N] [--threads 2] [--tokens 32] [--prompt 512] [--rounds 1] [--gguf F16,Q8_0,Q4_0,Q4_K|none] [--no-bin]
 *     [--jar cli/target/knowcoder.jar] [--llamacpp DRIVER | --no-llamacpp] [--gguf-tokenizer PATH]
 * </pre>
 * This JVM's options pass on to the timed JVMs, with the CLI launcher's memory settings for {@code generate}
 * added where they choose neither a young generation nor a collector.
 */
public final class SevenB {
    private SevenB() {}

    private static final Usage USAGE = new Usage("usage: SevenB [--out DIR] [--shape llama7b|tiny|stories110m|1b] [--context N] "
            + "[--threads N] [--tokens N] [--prompt N] [--rounds N] [--gguf F16,Q8_0,Q4_0,Q4_K|none] [--no-bin] [--jar PATH] "
            + "[--llamacpp DRIVER | --no-llamacpp] [--gguf-tokenizer PATH]");
    private static final List<String> GGUF_TYPES = List.of("F16", "Q8_0", "Q4_0", "Q4_K");

    public static void main(String[] args) throws Exception {
        Path out = Path.of("bench-out"), jar = Path.of("cli", "target", "knowcoder.jar"), tokenizer = null;
        Path llamaCpp = Path.of(System.getenv().getOrDefault("KNOWCODER_BENCH_CACHE", System.getProperty("user.home") + "/.cache/knowcoder-bench"),
                "llamacpp", "bin", "llama_driver");
        String shape = "llama7b";
        int context = 0, threads = 2, tokens = 32, prompt = 512, rounds = 1;
        boolean bin = true;
        List<String> gguf = GGUF_TYPES;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(USAGE.value(args, ++i));
                case "--shape" -> shape = USAGE.value(args, ++i);
                case "--context" -> context = USAGE.positive(args, ++i);
                case "--threads" -> threads = USAGE.positive(args, ++i);
                case "--tokens" -> tokens = USAGE.positive(args, ++i);
                case "--prompt" -> prompt = USAGE.positive(args, ++i);
                case "--rounds" -> rounds = USAGE.positive(args, ++i);
                case "--gguf" -> gguf = ggufTypes(USAGE.value(args, ++i));
                case "--no-bin" -> bin = false;
                case "--jar" -> jar = Path.of(USAGE.value(args, ++i));
                case "--llamacpp" -> llamaCpp = Path.of(USAGE.value(args, ++i));
                case "--no-llamacpp" -> llamaCpp = null;
                case "--gguf-tokenizer" -> tokenizer = Path.of(USAGE.value(args, ++i));
                default -> USAGE.fail("unknown argument " + args[i]);
            }
        }
        LlamaConfig c = shape(shape, context);
        if (tokens > c.seqLen() || prompt > c.seqLen()) USAGE.fail("--tokens and --prompt must be at most the context of " + c.seqLen());
        if (llamaCpp != null && !Files.isExecutable(llamaCpp)) {
            USAGE.fail("--llamacpp " + llamaCpp + ": not an executable (bench/llamacpp/setup.sh builds llama_driver), or pass --no-llamacpp");
        }
        if (!gguf.isEmpty()) {
            if (tokenizer == null) tokenizer = GgufCopies.defaultTokenizer(c.vocabSize());
            if (tokenizer == null) USAGE.fail("the GGUF copies need a SentencePiece tokenizer of " + c.vocabSize() + " pieces for llama.cpp: pass --gguf-tokenizer");
            if (!Files.isRegularFile(tokenizer)) USAGE.fail("tokenizer " + tokenizer + ": no such file (--gguf-tokenizer names another)");
            if (!Files.isRegularFile(jar)) USAGE.fail("--jar " + jar + ": no such file (mvn -B -o -q package -DskipTests -pl cli -am builds it)");
        }
        // the context is part of the files (config.json, GGUF metadata): another one gets files of its own
        String name = shape + (context == 0 ? "" : "-ctx" + context) + "-random";
        List<SevenBFiles.Target> targets;
        try {
            targets = SevenBFiles.prepare(out, name, c, bin, gguf, jar, tokenizer);
        } catch (BadInputException e) {
            USAGE.fail(e.getMessage());
            return;
        }
        List<SevenBReport.Row> rows = measure(targets, c, timedJvmOptions(), llamaCpp, rounds, threads, tokens, prompt);
        ObjectNode report = SevenBReport.header(name, c, threads, tokens, prompt, rounds, BenchModel.kvCacheBytes(c));
        ObjectNode files = report.putObject("files");
        boolean within = true;
        for (SevenBReport.Row r : rows) {
            files.set(r.target().name(), SevenBReport.json(r));
            within &= r.withinBudget();
        }
        report.put("all_within_rss_bound", within);
        System.err.println();
        System.err.print(SevenBReport.markdown(rows));
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        if (!within) System.exit(1); // the memory acceptance check failed: say so to scripts too
    }

    /**
     * Every file in every round: the read bandwidth, then our engine and llama.cpp (on GGUF files)
     * one after the other, the one going first alternating from round to round so that the
     * machine's drift hits both alike.
     */
    private static List<SevenBReport.Row> measure(List<SevenBFiles.Target> targets, LlamaConfig c, List<String> jvmOptions, Path llamaCpp,
                                                  int rounds, int threads, int tokens, int prompt) throws Exception {
        List<SevenBReport.Row> rows = new ArrayList<>();
        for (SevenBFiles.Target t : targets) {
            long llamaBytes = t.ggufDtype() == null ? 0 : SevenBFiles.ggufStreamedBytes(c, t.ggufDtype());
            rows.add(new SevenBReport.Row(t, SevenBFiles.size(t.path()), BenchModel.kvCacheBytes(c), llamaBytes));
        }
        for (int r = 0; r < rounds; r++) {
            for (SevenBReport.Row row : rows) {
                System.err.printf("round %d of %d, %s: read bandwidth, then %s ...%n", r + 1, rounds, row.target().name(),
                        llamaCpp == null || row.target().ggufDtype() == null ? "ours" : r % 2 == 0 ? "llama.cpp and ours" : "ours and llama.cpp");
                row.readGbs().add(ReadBandwidth.gbPerSecond(threads));
                boolean withLlama = llamaCpp != null && row.target().ggufDtype() != null;
                List<String> llama = withLlama ? ExternalDecode.llamaCppCommand(llamaCpp, row.target().path(), tokens, prompt, threads) : null;
                if (withLlama && r % 2 == 0) row.llamaCpp().add(ExternalDecode.measured(llama, ProcessBuilder.Redirect.DISCARD, 2));
                row.ours().add(SpeedRun.fork(jvmOptions, row.target().path(), threads, tokens, prompt));
                if (withLlama && r % 2 == 1) row.llamaCpp().add(ExternalDecode.measured(llama, ProcessBuilder.Redirect.DISCARD, 2));
                SpeedRun.Timing last = row.ours().getLast();
                System.err.printf(Locale.ROOT, "  read %.1f GB/s; ours: load %.2f s, first token %.2f s, peak RSS %.2f GB, decode %.2f tok/s, prefill %.1f tok/s%s%n",
                        row.readGbs().getLast(), last.loadSeconds(), last.firstTokenSeconds(), last.peakRssBytes() / 1e9, last.decode(), last.prefill(),
                        withLlama ? String.format(Locale.ROOT, "; llama.cpp: decode %.2f, prefill %.1f", row.llamaCpp().getLast().numbers()[0],
                                row.llamaCpp().getLast().numbers()[1]) : "");
            }
        }
        return rows;
    }

    /**
     * This JVM's options for the timed JVMs, with the CLI launcher's memory settings for {@code generate}
     * ({@code Launcher.memoryFlags}: a 32 MB young generation, the serial collector) where they set
     * neither: with G1's defaults the heap alone took more than the bound's allowance (bench/README.md),
     * so the bound would measure the collector, not the engine.
     */
    private static List<String> timedJvmOptions() {
        List<String> options = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (options.stream().noneMatch(o -> o.startsWith("-Xmn") || o.matches("-XX:\\+Use\\w*GC"))) {
            options.addAll(List.of("-Xmn32m", "-XX:+UseSerialGC"));
            System.err.println("timing with -Xmn32m -XX:+UseSerialGC, as the CLI's launcher runs generate");
        }
        return options;
    }

    /** LLaMA-2-7B's shape (context 4096) by default; {@code tiny} is {@link BenchModel#TINY}; {@code context} > 0 replaces the context. */
    static LlamaConfig shape(String name, int context) {
        LlamaConfig c = null;
        try {
            c = name.equals("tiny") ? BenchModel.TINY : DeviceSpeed.shape(name);
        } catch (BadInputException e) {
            USAGE.fail("--shape " + name + ": expected llama7b, tiny, stories110m or 1b");
        }
        return context == 0 ? c : new LlamaConfig(c.dim(), c.hiddenDim(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.vocabSize(), context,
                c.normEps(), c.ropeTheta());
    }

    private static List<String> ggufTypes(String list) {
        if (list.equalsIgnoreCase("none")) return List.of();
        List<String> types = List.of(list.toUpperCase(Locale.ROOT).split(","));
        for (String t : types) if (!GGUF_TYPES.contains(t)) USAGE.fail("--gguf: unknown type " + t + "; the types: " + GGUF_TYPES + " or none");
        return types;
    }
}

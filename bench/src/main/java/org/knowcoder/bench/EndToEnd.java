package org.knowcoder.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.model.LlamaConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * End-to-end speed of the engine on a stories110M-shaped random model: decode tok/s and prefill
 * tok/s for F32 (llama2.c v0), BF16 (Hugging Face), Q8_0 (llama2.c v2), Q4_0 and Q4_K (GGUF), and optionally llama2.c's
 * and our CLI's decode tok/s on the F32 file in the same rounds, and the peak resident set of the CLI
 * generating from the BF16 export. Results go to stdout as one JSON object, progress to stderr.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.knowcoder.bench.EndToEnd \
 *     [--out bench-out] [--threads 2] [--tokens 256] [--prompt 1000] [--rounds 3] [--llama2c PATH] [--cli]
 *     [--rss] [--jar cli/target/knowcoder.jar] [--jvm-arg ARG]... [--no-speed] [--tiny] [--dtypes Q8_0,Q4_0,...]
 * </pre>
 * {@code --dtypes} times only the checkpoints named (default: all five; the ratios to F32 need F32,
 * the 4-bit ones to Q8_0 need Q8_0).
 * {@code --llama2c} names llama2.c's built {@code run} binary, {@code --cli} adds {@code java -jar} runs
 * of the CLI (see {@link ExternalDecode}); {@code --tiny} swaps in a small model for smoke tests; {@code --no-speed} skips the speed runs;
 * {@code --jvm-arg} passes an option to the JVM of the {@code --rss} child (to try heap settings).
 * {@code --llamacpp} names {@code bench/llamacpp/setup.sh}'s {@code llama_driver}: the F32 file is converted
 * to GGUF ({@code --llamacpp-dtypes}, default F32, F16, BF16 and Q8_0; with the CLI's {@code convert} and
 * {@code --gguf-tokenizer}, default the llama2 tokenizer of ../shared/fixtures (stories260K's for {@code --tiny}), whose vocabulary
 * llama.cpp needs in the file), and in every round llama.cpp's own loop and our engine each time the
 * same GGUF files ({@code llamacpp_X} and {@code GGUF_X}; ratios {@code gguf_x_over_llamacpp}).
 * Exits 1 when the {@code --rss} check fails, after printing the report.
 */
public final class EndToEnd {
    private EndToEnd() {}

    private static final Usage USAGE = new Usage("usage: EndToEnd [--out DIR] [--threads N] [--tokens N] [--prompt N] "
            + "[--rounds N] [--llama2c PATH] [--cli] [--rss] [--jar PATH] [--jvm-arg ARG]... [--no-speed] [--tiny] [--dtypes A,B,...] "
            + "[--llamacpp DRIVER] [--llamacpp-dtypes A,B,...] [--gguf-tokenizer PATH]");

    /** The external decoders' names in the report, and the prefixes of the llama.cpp comparison's. */
    private static final String LLAMA2C = "llama2c", CLI = "cli_F32", LLAMACPP = "llamacpp_", GGUF = "GGUF_";
    /** The checkpoints of our own formats, which the ratios to F32 and Q8_0 are about. */
    private static final List<String> OWN = List.of("F32", "BF16", "Q8_0", "Q4_0", "Q4_K");

    public static void main(String[] args) throws Exception {
        Path out = Path.of("bench-out"), jar = Path.of("cli", "target", "knowcoder.jar");
        Path llama2c = null, llamaCpp = null, ggufTokenizer = null;
        List<String> llamaCppDtypes = List.of("F32", "F16", "BF16", "Q8_0");
        int threads = 2, tokens = 256, prompt = 1000, rounds = 3;
        boolean rss = false, speed = true, tiny = false, cli = false;
        List<String> childJvmArgs = new ArrayList<>();
        List<String> dtypes = List.of("F32", "BF16", "Q8_0", "Q4_0", "Q4_K");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(USAGE.value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(USAGE.value(args, ++i));
                case "--tokens" -> tokens = Integer.parseInt(USAGE.value(args, ++i));
                case "--prompt" -> prompt = Integer.parseInt(USAGE.value(args, ++i));
                case "--rounds" -> rounds = Integer.parseInt(USAGE.value(args, ++i));
                case "--llama2c" -> llama2c = Path.of(USAGE.value(args, ++i));
                case "--llamacpp" -> llamaCpp = Path.of(USAGE.value(args, ++i));
                case "--llamacpp-dtypes" -> llamaCppDtypes = List.of(USAGE.value(args, ++i).toUpperCase(Locale.ROOT).split(","));
                case "--gguf-tokenizer" -> ggufTokenizer = Path.of(USAGE.value(args, ++i));
                case "--cli" -> cli = true;
                case "--jar" -> jar = Path.of(USAGE.value(args, ++i));
                case "--rss" -> rss = true;
                case "--jvm-arg" -> childJvmArgs.add(USAGE.value(args, ++i));
                case "--no-speed" -> speed = false;
                case "--tiny" -> tiny = true;
                case "--dtypes" -> dtypes = List.of(USAGE.value(args, ++i).toUpperCase(Locale.ROOT).split(","));
                default -> USAGE.fail("unknown argument " + args[i]);
            }
        }
        BenchModel model = BenchModel.prepare(out, tiny);
        LlamaConfig c = model.config();
        if (tokens < 1 || tokens > c.seqLen() || prompt < 1 || prompt > c.seqLen()) {
            USAGE.fail("--tokens and --prompt must be between 1 and the context of " + c.seqLen());
        }
        if (rounds < 1) USAGE.fail("--rounds must be at least 1");
        Map<String, Callable<double[]>> external = new LinkedHashMap<>();
        Map<String, Path> gguf = new LinkedHashMap<>();
        if (llama2c != null) external.put(LLAMA2C, ExternalDecode.llama2c(llama2c, model, tokens, threads));
        if (cli) external.put(CLI, ExternalDecode.cli(jar, model, tokens, threads));
        if (llamaCpp != null && speed) {
            if (!Files.isExecutable(llamaCpp)) USAGE.fail("--llamacpp " + llamaCpp + ": not an executable (bench/llamacpp/setup.sh builds llama_driver)");
            for (String d : llamaCppDtypes) {
                if (!GgufCopies.DTYPES.contains(d)) USAGE.fail("--llamacpp-dtypes: unknown type " + d + "; the types: " + GgufCopies.DTYPES);
                Path file = GgufCopies.of(jar, model, d, ggufTokenizer != null ? ggufTokenizer : GgufCopies.defaultTokenizer(c.vocabSize()));
                gguf.put(GGUF + d, file);
                external.put(LLAMACPP + d, ExternalDecode.llamaCpp(llamaCpp, file, tokens, prompt, threads));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode report = json.createObjectNode();
        report.put("model", model.name());
        report.putPOJO("config", c);
        report.put("threads", threads);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        if (speed) speed(report, model, dtypes, gguf, external, rounds, threads, tokens, prompt);
        boolean withinBudget = !rss || rss(report.putObject("rss"), jar, childJvmArgs, model, tokens, threads);
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        if (!withinBudget) System.exit(1); // the memory acceptance check failed: say so to scripts too
    }

    private static void speed(ObjectNode report, BenchModel model, List<String> dtypes, Map<String, Path> gguf,
                              Map<String, Callable<double[]>> external, int rounds, int threads, int tokens, int prompt) throws Exception {
        report.put("decode_tokens", tokens);
        report.put("prompt_tokens", prompt);
        report.put("rounds", rounds);
        Map<String, Path> all = Map.of("F32", model.f32(), "BF16", model.bf16(), "Q8_0", model.q8(), "Q4_0", model.q40(), "Q4_K", model.q4k());
        Map<String, Path> files = new LinkedHashMap<>();
        for (String d : dtypes) {
            if (!all.containsKey(d)) USAGE.fail("--dtypes: unknown checkpoint " + d + " (F32, BF16, Q8_0, Q4_0 or Q4_K)");
            files.put(d, all.get(d));
        }
        files.putAll(gguf);
        System.err.println("measuring " + rounds + " interleaved rounds, each checkpoint in a JVM of its own ...");
        report(report, SpeedRun.measure(external, files, rounds, threads, tokens, prompt));
    }

    /**
     * Medians over the rounds; the ratios are medians of each round's ratio (the rounds ran the
     * decoders side by side). External decoders have decode tok/s only.
     */
    private static void report(ObjectNode report, Map<String, SpeedRun.Result> results) {
        ObjectNode decode = report.putObject("decode_tok_s"), prefill = report.putObject("prefill_tok_s");
        ObjectNode weightGbs = report.putObject("decode_weight_gb_s"), prefillOverDecode = report.objectNode();
        SpeedRun.Result f32 = results.get("F32"), q8 = results.get("Q8_0");
        ObjectNode ratios = report.putObject("ratios");
        for (Map.Entry<String, SpeedRun.Result> e : results.entrySet()) {
            SpeedRun.Result r = e.getValue();
            double d = SpeedRun.median(r.decode());
            decode.put(e.getKey(), round(d));
            if (Double.isNaN(r.prefill()[0])) continue; // llama2.c and the CLI: decode only
            prefill.put(e.getKey(), round(SpeedRun.median(r.prefill())));
            prefillOverDecode.put(e.getKey(), round(SpeedRun.median(divide(r.prefill(), r.decode()))));
            SpeedRun.Result llamaCpp = e.getKey().startsWith(GGUF) ? results.get(LLAMACPP + e.getKey().substring(GGUF.length())) : null;
            if (llamaCpp != null) { // the same GGUF file, in the same rounds
                String name = e.getKey().toLowerCase(Locale.ROOT);
                ratios.put(name + "_over_llamacpp", round(SpeedRun.median(divide(r.decode(), llamaCpp.decode()))));
                ratios.put(name + "_prefill_over_llamacpp", round(SpeedRun.median(divide(r.prefill(), llamaCpp.prefill()))));
            }
            if (!OWN.contains(e.getKey())) continue;
            // every decoded token streams all the weights once: the bandwidth decoding achieves
            weightGbs.put(e.getKey(), round(d * r.weightBytes() / 1e9));
            if (!e.getKey().equals("F32") && f32 != null) {
                String name = e.getKey().toLowerCase(Locale.ROOT).replace("_0", "") + "_over_f32";
                ratios.put(name, round(SpeedRun.median(divide(r.decode(), f32.decode()))));
            }
            // issue 19's target for the 4-bit kernels: decode at least 1.7x Q8_0's
            if (e.getKey().startsWith("Q4") && q8 != null) {
                ratios.put(e.getKey().toLowerCase(Locale.ROOT) + "_over_q8_0", round(SpeedRun.median(divide(r.decode(), q8.decode()))));
            }
        }
        SpeedRun.Result reference = results.get(LLAMA2C);
        if (reference != null && f32 != null) {
            ratios.put("f32_over_llama2c", round(SpeedRun.median(divide(f32.decode(), reference.decode()))));
            SpeedRun.Result cli = results.get(CLI);
            if (cli != null) ratios.put("cli_f32_over_llama2c", round(SpeedRun.median(divide(cli.decode(), reference.decode()))));
        }
        ratios.set("prefill_over_decode", prefillOverDecode);
    }

    private static double[] divide(double[] a, double[] b) {
        double[] q = new double[a.length];
        for (int i = 0; i < a.length; i++) q[i] = a[i] / b[i];
        return q;
    }

    /** Runs the --rss check into {@code node}; true when the CLI stayed within its memory budget. */
    private static boolean rss(ObjectNode node, Path jar, List<String> jvmArgs, BenchModel model, int steps, int threads)
            throws Exception {
        System.err.println("running the CLI on " + model.bf16() + " to measure its resident set ...");
        RssCheck.Result r = RssCheck.run(jar, jvmArgs, model, steps, threads);
        node.put("peak_rss_bytes", r.peakRssBytes());
        node.put("file_bytes", r.fileBytes());
        node.put("kv_cache_bytes", r.kvCacheBytes());
        node.put("allowance_bytes", RssCheck.ALLOWANCE);
        node.put("budget_bytes", r.budgetBytes());
        node.put("headroom_bytes", r.budgetBytes() - r.peakRssBytes());
        node.put("within_budget", r.withinBudget());
        node.put("exit_code", r.exitCode());
        node.put("generated_tokens", r.generatedTokens());
        node.put("command", String.join(" ", r.command()));
        return r.withinBudget();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

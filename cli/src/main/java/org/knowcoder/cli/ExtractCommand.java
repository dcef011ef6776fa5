package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.api.Extraction;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Options;
import org.knowcoder.api.Schema;
import org.knowcoder.ie.extract.ExtractionPipeline;
import org.knowcoder.ie.extract.ExtractionRun;
import org.knowcoder.ie.text.ResultsFile;
import org.knowcoder.ie.text.TextInput;
import org.knowcoder.ie.text.TextInputs;
import org.knowcoder.ie.text.TextRun;
import org.knowcoder.io.AppendedLines;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

@Command(name = "extract", sortOptions = false,
        description = {"Extract entities, relations and events of your types from your text, or run KnowCoder over benchmark datasets.",
                "Your text: TEXT arguments or --input FILE|- ; types by --types, --types-file or --schema; one JSON line per input on stdout"
                        + " (or --out FILE, resumable) with character offsets into the input.",
                "Benchmark mode (--datasets, --dataset): writes OUT/predictions.jsonl (resumes after a kill) and prints the run's counts and timings"
                        + " (JSON with --json)."})
final class ExtractCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ExtractionOptions options;

    @Mixin
    TextOptions text;

    @Override
    public Integer call() throws Exception {
        if (text.given()) return extractText();
        if (options.datasetsDir == null && options.datasets == null) {
            throw new BadInputException("extract needs text: TEXT arguments, --input FILE (- for standard input), or --datasets DIR --dataset NAMES");
        }
        try (ExtractionPipeline run = ExtractionPipeline.open(options.settings(), line -> System.err.println("extract: " + line))) {
            ExtractionRun.Summary summary = run.extract();
            System.out.println(options.json ? run.timingsJson(summary) : run.timingsText(summary));
        }
        return 0;
    }

    /** The user's text: everything checked (types, model path, input file) before the model loads. */
    private int extractText() throws IOException {
        if (text.input != null && !text.texts.isEmpty()) throw new BadInputException("give the text as arguments or with --input, not both");
        if (options.datasetsDir != null || options.datasets != null) throw new BadInputException("--datasets and --dataset run the benchmark mode; drop them to extract from your text");
        Schema schema = text.schema(options.schema, options.tasks, options.model == null);
        Path model = options.model();
        options.device.check();
        int threads = text.input == null ? options.threads.countForShortRun() : options.threads.count();
        Options o = Options.defaults().withTokenizer(options.tokenizer).withDevice(options.device.device).withQuantize(options.device.quantize)
                .withAdapter(text.adapter).withThreads(threads).withBatch(options.batch).withMaxNewTokens(options.maxNewTokens)
                .withChunkTokens(text.chunkTokens).withConstrained(options.constrained).withClauses(options.clauses).withConsistency(options.consistency).withPromptCache(text.promptCache);
        Set<String> done = options.out == null ? Set.of() : ResultsFile.ids(options.out);
        Iterator<TextInput> inputs;
        long total;
        InputStream in = null;
        if (text.input == null) {
            inputs = IntStream.range(0, text.texts.size()).mapToObj(i -> new TextInput(String.valueOf(i + 1), text.texts.get(i))).iterator();
            total = text.texts.size();
        } else {
            boolean stdin = text.input.equals("-");
            TextInputs.Format format = TextInputs.formatOf(stdin ? "" : text.input, text.inputFormat);
            in = stdin ? System.in : InputFiles.open(Path.of(text.input), "text to extract from");
            inputs = TextInputs.read(in, format, stdin ? "standard input" : text.input);
            total = stdin ? -1 : TextInputs.count(Path.of(text.input), format);
        }
        try (InputStream closing = in; KnowCoder kc = options.model == null ? KnowCoder.load(o) : KnowCoder.load(model, o);
             AppendedLines file = options.out == null ? null : AppendedLines.open(options.out)) {
            System.err.println("extract: " + kc);
            TextRun<Extraction> run = new TextRun<>(input -> kc.submit(input.id(), input.text(), schema, null), Extraction::sentences,
                    KnowCoder.WINDOW_BATCHES * options.batch, text.input == null ? null : line -> System.err.println("extract: " + line));
            TextRun.Summary s = run.run(inputs, done, options.limit, total, e -> {
                Extraction shown = text.raw ? e : e.withoutRaw();
                if (e.truncated()) {
                    System.err.println("extract: warning: input " + e.id() + " has a sentence longer than a prompt holds; it was cut into pieces (\"truncated\": true)");
                }
                if (file != null) file.write(JSON.writeValueAsString(shown));
                if (text.pretty) System.out.print(ExtractionTable.of(shown));
                else if (file == null) System.out.println(JSON.writeValueAsString(shown));
            });
            double seconds = s.nanos() / 1e9;
            System.err.println(String.format(Locale.ROOT, "extract: %d inputs (%d skipped), %d sentences in %.1f s, %.2f sentences/s%s",
                    s.extracted(), s.skipped(), s.sentences(), seconds, s.sentences() / Math.max(seconds, 1e-9),
                    options.out == null ? "" : "; results in " + options.out));
        }
        return 0;
    }
}

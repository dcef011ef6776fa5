package org.knowcoder.ie.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * KnowCoder extraction over benchmark datasets, from settings to predictions and scores: plans the
 * jobs, loads the model ({@link LoadedExtractor}), and runs the {@link Extractor} into a resumable
 * predictions file ({@link ExtractionRun}). Everything is
 * checked (settings, schema, datasets, tokenizer against model) before the first sentence runs.
 */
public final class ExtractionPipeline implements AutoCloseable {
    private final ExtractionSettings settings;
    private final LoadedExtractor model;
    private final Extractor extractor;
    private final SchemaLibrary library;
    private final List<ExtractionJob> jobs;
    private final Consumer<String> progress;

    private ExtractionPipeline(ExtractionSettings settings, LoadedExtractor model, SchemaLibrary library, List<ExtractionJob> jobs,
                               Consumer<String> progress) {
        this.settings = settings;
        this.model = model;
        this.extractor = model.extractor();
        this.library = library;
        this.jobs = jobs;
        this.progress = progress;
    }

    /** Plans and loads everything; progress lines (and where the sentences run) go to {@code progress}. */
    public static ExtractionPipeline open(ExtractionSettings s, Consumer<String> progress) throws IOException {
        if (!Files.isDirectory(s.datasetsDir())) throw new NoSuchFileException(s.datasetsDir().toString(), null, "no such datasets directory");
        ExtractionRecord.checkResume(s);
        SchemaLibrary library = s.schema() == null ? null : SchemaJson.read(s.schema());
        List<ExtractionJob> jobs = JobPlanner.plan(s.datasetsDir(), s.datasets(), s.split(), s.tasks(), s.limit(), s.shots(), library,
                s.refined(), s.benchmarkSeed());
        for (ExtractionJob job : jobs) job.undefinedClassesWarning().ifPresent(progress);
        // never more in flight than the largest job has sentences: a --batch far above that would allocate KV caches no sentence uses
        int batch = Math.min(s.batch(), jobs.stream().mapToInt(j -> j.samples().size()).max().orElse(1));
        LoadedExtractor model = LoadedExtractor.open(s.model(), s.tokenizer(), s.device(), s.quantize(), null, s.threads(), batch,
                s.maxNewTokens(), s.prefixReuse(), s.constrained());
        progress.accept(model.extractor().inFlight() + " sentences in flight on " + model.where());
        return new ExtractionPipeline(s, model, library, jobs, progress);
    }

    /** Runs every job's sentences not yet in the predictions file. */
    public ExtractionRun.Summary extract() throws IOException {
        ExtractionRecord.write(settings);
        return new ExtractionRun(extractor, settings.clauses(), progress).run(jobs, settings.predictions());
    }

    /** Scores the predictions file against the jobs' gold annotations, one scorer per task. */
    public Map<Task, Scorer> score(SpanMode mode) throws IOException {
        return Evaluation.score(jobs, PredictionsFile.read(settings.predictions()), library, mode, settings.consistency(), extractor.timings());
    }

    /** The run's counts and where its time went, in one line: "N sentences (M skipped) in S s, R sentences/s; ...". */
    public String timingsText(ExtractionRun.Summary s) {
        ExtractionTimings t = extractor.timings();
        double seconds = s.nanos() / 1e9;
        return String.format(java.util.Locale.ROOT, "%d sentences (%d skipped) in %.1f s, %.2f sentences/s; %d tokens prefilled in %.1f s, "
                        + "%d decoded in %.1f s, outputs parsed in %.2f s; predictions in %s",
                s.extracted(), s.skipped(), seconds, s.extracted() / seconds, t.prefilledTokens(), t.prefillNanos() / 1e9,
                t.decodedTokens(), t.decodeNanos() / 1e9, t.parseNanos() / 1e9, settings.predictions());
    }

    /** {@link #timingsText} as one JSON object. */
    public String timingsJson(ExtractionRun.Summary s) {
        ExtractionTimings t = extractor.timings();
        double total = (t.prefillNanos() + t.decodeNanos() + t.parseNanos()) / 1e9;
        ObjectNode n = new ObjectMapper().createObjectNode()
                .put("sentences", s.extracted()).put("skipped", s.skipped()).put("seconds", s.nanos() / 1e9)
                .put("sentencesPerSecond", s.extracted() / (s.nanos() / 1e9))
                .put("prefillTokens", t.prefilledTokens()).put("decodedTokens", t.decodedTokens())
                .put("prefillShare", total == 0 ? 0 : t.prefillNanos() / 1e9 / total)
                .put("decodeShare", total == 0 ? 0 : t.decodeNanos() / 1e9 / total)
                .put("parseShare", total == 0 ? 0 : t.parseNanos() / 1e9 / total);
        return n.toString();
    }

    @Override
    public void close() {
        model.close();
    }
}

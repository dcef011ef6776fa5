package org.knowcoder.ie.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.session.DecodingSession;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * KnowCoder extraction over benchmark datasets, from settings to predictions and scores: plans the
 * jobs, opens the device, loads the model through {@link ModelLoader}, sizes the KV caches, and runs
 * the {@link Extractor} into a resumable predictions file ({@link ExtractionRun}). Everything is
 * checked (settings, schema, datasets, tokenizer against model) before the first sentence runs.
 */
public final class ExtractionPipeline implements AutoCloseable {
    private final ExtractionSettings settings;
    private final WorkerPool pool;
    private final Device device;
    private final LlamaWeights weights;
    private final Extractor extractor;
    private final SchemaLibrary library;
    private final List<ExtractionJob> jobs;
    private final Consumer<String> progress;

    private ExtractionPipeline(ExtractionSettings settings, WorkerPool pool, Device device, LlamaWeights weights, Extractor extractor,
                               SchemaLibrary library, List<ExtractionJob> jobs, Consumer<String> progress) {
        this.settings = settings;
        this.pool = pool;
        this.device = device;
        this.weights = weights;
        this.extractor = extractor;
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
        WorkerPool pool = new WorkerPool(s.threads());
        Device device = null;
        LlamaWeights weights = null;
        try {
            // the device opens first: a machine without one learns it before a large checkpoint is read
            device = ModelLoader.accelerator(s.device(), pool);
            weights = ModelLoader.weights(s.model(), s.quantizeQ8(), device == null);
            Tokenizer tok = Tokenizers.load(s.tokenizer());
            Tokenizers.requireFits(tok, s.tokenizer(), weights.config().vocabSize(), s.model());
            DecodingSession session = ModelLoader.session(s.model(), weights, pool, device, sequences(s, jobs, weights.config(), device == null), null);
            Extractor extractor = new Extractor(session, tok, s.maxNewTokens(), s.prefixReuse());
            progress.accept(extractor.inFlight() + " sentences in flight on "
                    + (device == null ? "cpu, " + pool.threads() + " threads" : device.description()));
            return new ExtractionPipeline(s, pool, device, weights, extractor, library, jobs, progress);
        } catch (IOException | RuntimeException | Error e) {
            if (weights != null) weights.close();
            if (device != null) device.close();
            pool.close();
            throw e;
        }
    }

    /**
     * Sequences for the session: one per sentence in flight plus the shared prefix's; one when
     * batching is off; never more in flight than the largest job has sentences (a --batch far above
     * that would allocate KV caches no sentence uses). An accelerator gets all of the batch (its
     * memory refuses what does not fit, naming the size); the CPU as many as half the free heap holds
     * (each sequence has a KV cache of the whole context), and one sequence when two would not fit.
     */
    static int sequences(ExtractionSettings s, List<ExtractionJob> jobs, LlamaConfig c, boolean onCpu) {
        int batch = Math.min(s.batch(), jobs.stream().mapToInt(j -> j.samples().size()).max().orElse(1));
        if (batch == 1) return 1;
        if (!onCpu) return batch + 1;
        long perSequence = 2L * c.nLayers() * c.seqLen() * c.kvDim() * Float.BYTES;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long fits = free / 2 / Math.max(1, perSequence);
        return fits < 3 ? 1 : (int) Math.min(batch + 1, fits);
    }

    /** Runs every job's sentences not yet in the predictions file. */
    public ExtractionRun.Summary extract() throws IOException {
        ExtractionRecord.write(settings);
        return new ExtractionRun(extractor, progress).run(jobs, settings.predictions());
    }

    /** Scores the predictions file against the jobs' gold annotations, one scorer per task. */
    public Map<Task, Scorer> score(SpanMode mode) throws IOException {
        return Evaluation.score(jobs, PredictionsFile.read(settings.predictions()), library, mode, extractor.timings());
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
        if (device != null) device.close();
        pool.close();
        weights.close();
    }
}

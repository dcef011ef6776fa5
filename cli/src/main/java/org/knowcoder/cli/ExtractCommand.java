package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.extract.ExtractionJob;
import org.knowcoder.ie.extract.ExtractionRun;
import org.knowcoder.ie.extract.ExtractionTimings;
import org.knowcoder.ie.extract.Extractor;
import org.knowcoder.model.DecodingSession;
import org.knowcoder.model.ModelLoader;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "extract", sortOptions = false,
        description = {"Run KnowCoder extraction over datasets and write the predictions (resumable).",
                "Greedy decoding of several sentences at a time; the prompt prefix a dataset's sentences share is computed once.",
                "Writes OUT/predictions.jsonl (resumes after a kill) and prints timings as JSON."})
final class ExtractCommand implements Callable<Integer> {
    @Mixin
    ExtractionOptions options;

    @Override
    public Integer call() throws Exception {
        Run run = Run.start(options);
        try (run) {
            ExtractionRun.Summary summary = run.extract();
            System.out.println(timingsJson(summary, run.extractor.timings()));
        }
        return 0;
    }

    static String timingsJson(ExtractionRun.Summary s, ExtractionTimings t) throws Exception {
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

    /** A loaded model with its session and extractor, and the jobs to run; closes the weights and pool. */
    static final class Run implements AutoCloseable {
        final ExtractionOptions options;
        final LlamaWeights weights;
        final WorkerPool pool;
        final Device device;
        final Extractor extractor;
        final SchemaLibrary library;
        final List<ExtractionJob> jobs;

        private Run(ExtractionOptions options, LlamaWeights weights, WorkerPool pool, Device device, Extractor extractor,
                    SchemaLibrary library, List<ExtractionJob> jobs) {
            this.options = options;
            this.weights = weights;
            this.pool = pool;
            this.device = device;
            this.extractor = extractor;
            this.library = library;
            this.jobs = jobs;
        }

        /** Checks everything (options, schema, datasets, tokenizer against model) before the first sentence runs. */
        static Run start(ExtractionOptions o) throws Exception {
            o.check();
            SchemaLibrary library = o.library();
            List<ExtractionJob> jobs = o.jobs(library);
            WorkerPool pool = new WorkerPool(o.threadCount());
            Device device = null;
            LlamaWeights weights = null;
            try {
                // the device opens first: a machine without one learns it before a large checkpoint is read
                device = o.device.open(pool);
                weights = o.loadModel();
                Tokenizer tok = o.openTokenizer(weights);
                DecodingSession session = ModelLoader.session(o.model, weights, pool, device, o.sequences(weights));
                Extractor extractor = new Extractor(session, tok, o.maxNewTokens, !o.noPrefixReuse);
                System.err.println("extract: " + extractor.inFlight() + " sentences in flight on "
                        + (device == null ? "cpu, " + pool.threads() + " threads" : device.description()));
                return new Run(o, weights, pool, device, extractor, library, jobs);
            } catch (Exception | Error e) {
                if (weights != null) weights.close();
                if (device != null) device.close();
                pool.close();
                throw e;
            }
        }

        ExtractionRun.Summary extract() throws java.io.IOException {
            return new ExtractionRun(extractor, line -> System.err.println("extract: " + line)).run(jobs, options.predictions());
        }

        @Override
        public void close() {
            if (device != null) device.close();
            pool.close();
            weights.close();
        }
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.trainingdata.FollowingBuilder;
import org.knowcoder.ie.trainingdata.FollowingOptions;
import org.knowcoder.ie.trainingdata.InstanceForm;
import org.knowcoder.ie.trainingdata.UnderstandingBuilder;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code build-data}: training data for the two learning phases; the work is in the subcommands. */
@Command(name = "build-data", description = "Build KnowCoder training data: schema understanding (code pretraining) or schema following (instructions).",
        subcommands = {BuildDataCommand.Understanding.class, BuildDataCommand.Following.class})
final class BuildDataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The options both phases share. */
    static final class Common {
        @Option(names = "--library", required = true, paramLabel = "PATH", description = "schema library (file or directory)")
        Path library;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
        Path out;

        @Option(names = "--tokenizer", paramLabel = "PATH", description = "also write tokenized shards (ids, loss mask, header)")
        Path tokenizer;

        @Option(names = "--seed", defaultValue = "42", description = "seed of every random choice (default ${DEFAULT-VALUE})")
        long seed;

        /** The output does not depend on it. */
        @Mixin
        ThreadsOption threads;

        Tokenizer loadTokenizer() throws IOException {
            return tokenizer == null ? null : Tokenizers.load(tokenizer);
        }

        String tokenizerPath() {
            return tokenizer == null ? null : tokenizer.toString();
        }

        /** Progress on stderr, the summary as one JSON line on stdout, the skipped lines at the end of stderr. */
        static int report(ObjectNode summary) {
            var bad = summary.get("bad");
            long count = summary.get("bad_lines").asLong();
            if (count > 0) {
                System.err.printf("skipped %,d bad lines%s:%n", count, count > bad.size() ? " (first " + bad.size() + " listed)" : "");
                bad.forEach(b -> System.err.println("  " + b.get("file").asText() + ":" + b.get("line").asLong() + ": " + b.get("reason").asText()));
            }
            SchemaCommand.printJson(summary);
            return 0;
        }
    }

    @Command(name = "understanding", description = "Schema definition code packed to --max-tokens, and instance code from a KELM-style corpus (JSON lines, see README).")
    static final class Understanding implements Callable<Integer> {
        @Parameters(paramLabel = "CORPUS", arity = "0..*", description = "KELM-style corpus files (none: definition code only)")
        List<Path> corpus = List.of();

        @Mixin
        Common common;

        @Option(names = "--form", defaultValue = "sentence-first", description = "instance code form: sentence-first, import-first or whole (default ${DEFAULT-VALUE})")
        String form;

        @Option(names = "--max-tokens", defaultValue = "2048", description = "definition code and shard sequence length (default ${DEFAULT-VALUE})")
        int maxTokens;

        @Override
        public Integer call() throws IOException {
            InstanceForm f = InstanceForm.parse(form);
            SchemaLibrary library = SchemaJson.read(common.library);
            return Common.report(UnderstandingBuilder.build(corpus, library, f, maxTokens, common.seed, common.loadTokenizer(),
                    common.tokenizerPath(), common.out, common.threads.count(), System.err::println));
        }
    }

    @Command(name = "following", description = "NER/RE/ED/EAE instructions from IE samples (DESIGN.md JSON lines) with negative class sampling.")
    static final class Following implements Callable<Integer> {
        @Parameters(paramLabel = "SAMPLES", arity = "1..*", description = "IE sample files (as written by 'datasets --write')")
        List<Path> samples;

        @Mixin
        Common common;

        @Option(names = "--tasks", split = ",", defaultValue = "ner,re,ed,eae", description = "tasks to build (default ${DEFAULT-VALUE})")
        List<String> tasks;

        @Option(names = "--negative-ratio", defaultValue = "0.2", description = "negative classes per gold class, rounded up (default ${DEFAULT-VALUE})")
        double negativeRatio;

        @Option(names = "--fully-negative", defaultValue = "0.05", description = "share of sentences with only absent classes and results = [] (default ${DEFAULT-VALUE})")
        double fullyNegative;

        @Option(names = "--fully-negative-classes", defaultValue = "5", description = "classes of a fully negative sample (default ${DEFAULT-VALUE})")
        int fullyNegativeClasses;

        @Option(names = "--dataset-tag", description = "name the sample's dataset in the instruction (refinement data)")
        boolean datasetTag;

        @Option(names = "--refinement", defaultValue = "0", description = "share of instructions in evaluation's form: all of the dataset's classes, bare, "
                + "the evaluation instruction (refinement data; default ${DEFAULT-VALUE})")
        double refinement;

        @Override
        public Integer call() throws IOException {
            FollowingOptions options = new FollowingOptions(tasks.stream().map(Task::parse).distinct().toList(), negativeRatio,
                    fullyNegative, fullyNegativeClasses, datasetTag, refinement, common.seed);
            SchemaLibrary library = SchemaJson.read(common.library);
            return Common.report(FollowingBuilder.build(samples, library, options, common.loadTokenizer(), common.tokenizerPath(),
                    common.out, common.threads.count(), System.err::println));
        }
    }
}

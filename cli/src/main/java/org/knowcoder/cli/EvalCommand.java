package org.knowcoder.cli;

import org.knowcoder.ie.eval.ScoreReport;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.ie.extract.ExtractionPipeline;
import org.knowcoder.ie.extract.ExtractionRun;
import org.knowcoder.ie.extract.ExtractionSettings;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.schema.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", sortOptions = false,
        description = {"Extract (as `extract`) and score: micro P/R/F1 per task and dataset, macro over datasets.",
                "Writes OUT/predictions.jsonl (resumable) and OUT/scores.json; prints a table (or JSON with --json)."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ExtractionOptions options;

    @Option(names = "--offsets", description = "score spans by character offsets (first occurrence) instead of text")
    boolean offsets;

    @Override
    public Integer call() throws Exception {
        ExtractionSettings settings = options.settings();
        Map<Task, Scorer> scores;
        try (ExtractionPipeline run = ExtractionPipeline.open(settings, line -> System.err.println("eval: " + line))) {
            ExtractionRun.Summary summary = run.extract();
            scores = run.score(offsets ? SpanMode.OFFSETS : SpanMode.TEXT);
            System.err.println("eval: " + run.timingsText(summary));
        }
        String text = ScoreReport.json(scores);
        AtomicWrite.write(settings.scores(), text.getBytes(StandardCharsets.UTF_8));
        System.out.print(options.json ? text : ScoreReport.table(scores));
        return 0;
    }
}

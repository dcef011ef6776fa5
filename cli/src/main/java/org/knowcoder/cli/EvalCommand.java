package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.eval.Counts;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.ie.extract.Evaluation;
import org.knowcoder.ie.extract.PredictionsFile;
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

    @Option(names = "--json", description = "print the scores as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<Task, Scorer> scores;
        try (ExtractCommand.Run run = ExtractCommand.Run.start(options)) {
            System.err.println("eval: " + ExtractCommand.timingsJson(run.extract(), run.extractor.timings()));
            scores = Evaluation.score(run.jobs, PredictionsFile.read(options.predictions()), run.library, offsets ? SpanMode.OFFSETS : SpanMode.TEXT);
        }
        ObjectNode all = new ObjectMapper().createObjectNode();
        scores.forEach((task, scorer) -> {
            ObjectNode t = all.putObject(task.name());
            counts(t.putObject("micro"), scorer.total());
            Scorer.Macro m = scorer.macroOverDatasets();
            t.putObject("macro").put("precision", m.precision()).put("recall", m.recall()).put("f1", m.f1());
            ObjectNode per = t.putObject("datasets");
            scorer.perDataset().forEach((d, c) -> counts(per.putObject(d), c));
        });
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all);
        AtomicWrite.write(options.out.resolve("scores.json"), (text + "\n").getBytes(StandardCharsets.UTF_8));
        System.out.print(json ? text + "\n" : table(scores));
        return 0;
    }

    private static void counts(ObjectNode n, Counts c) {
        n.put("pred", c.pred()).put("gold", c.gold()).put("tp", c.tp()).put("precision", c.precision()).put("recall", c.recall()).put("f1", c.f1());
    }

    private static String table(Map<Task, Scorer> scores) {
        StringBuilder sb = new StringBuilder(String.format("%-5s %-22s %7s %7s %7s %7s %7s %7s%n", "task", "dataset", "pred", "gold", "tp", "P", "R", "F1"));
        scores.forEach((task, scorer) -> {
            scorer.perDataset().forEach((d, c) -> sb.append(row(task.name(), d, c)));
            Scorer.Macro m = scorer.macroOverDatasets();
            sb.append(String.format("%-5s %-22s %7s %7s %7s %7.2f %7.2f %7.2f%n", task, "(macro)", "", "", "", 100 * m.precision(), 100 * m.recall(), 100 * m.f1()));
        });
        return sb.toString();
    }

    private static String row(String task, String dataset, Counts c) {
        return String.format("%-5s %-22s %7d %7d %7d %7.2f %7.2f %7.2f%n", task, dataset, c.pred(), c.gold(), c.tp(), 100 * c.precision(), 100 * c.recall(), 100 * c.f1());
    }
}

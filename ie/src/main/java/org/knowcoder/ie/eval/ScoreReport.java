package org.knowcoder.ie.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.schema.Task;

import java.io.UncheckedIOException;
import java.util.Map;

/** Scores per task as users read them: micro counts and P/R/F1 per dataset and in all, macro F1 over datasets. */
public final class ScoreReport {
    private ScoreReport() {}

    /** Indented JSON: {TASK: {micro: {...}, macro: {...}, datasets: {name: {...}}}}. */
    public static String json(Map<Task, Scorer> scores) {
        ObjectNode all = new ObjectMapper().createObjectNode();
        scores.forEach((task, scorer) -> {
            ObjectNode t = all.putObject(task.name());
            counts(t.putObject("micro"), scorer.total());
            Scorer.Macro m = scorer.macroOverDatasets();
            t.putObject("macro").put("precision", m.precision()).put("recall", m.recall()).put("f1", m.f1());
            ObjectNode per = t.putObject("datasets");
            scorer.perDataset().forEach((d, c) -> counts(per.putObject(d), c));
        });
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of numbers and names always serializes
        }
    }

    /** A fixed-width table: a row per task and dataset, then the task's macro row. */
    public static String table(Map<Task, Scorer> scores) {
        StringBuilder sb = new StringBuilder(String.format("%-5s %-22s %7s %7s %7s %7s %7s %7s%n", "task", "dataset", "pred", "gold", "tp", "P", "R", "F1"));
        scores.forEach((task, scorer) -> {
            scorer.perDataset().forEach((d, c) -> sb.append(row(task.name(), d, c)));
            Scorer.Macro m = scorer.macroOverDatasets();
            sb.append(String.format("%-5s %-22s %7s %7s %7s %7.2f %7.2f %7.2f%n", task, "(macro)", "", "", "", 100 * m.precision(), 100 * m.recall(), 100 * m.f1()));
        });
        return sb.toString();
    }

    private static void counts(ObjectNode n, Counts c) {
        n.put("pred", c.pred()).put("gold", c.gold()).put("tp", c.tp()).put("precision", c.precision()).put("recall", c.recall()).put("f1", c.f1());
    }

    private static String row(String task, String dataset, Counts c) {
        return String.format("%-5s %-22s %7d %7d %7d %7.2f %7.2f %7.2f%n", task, dataset, c.pred(), c.gold(), c.tp(), 100 * c.precision(), 100 * c.recall(), 100 * c.f1());
    }
}

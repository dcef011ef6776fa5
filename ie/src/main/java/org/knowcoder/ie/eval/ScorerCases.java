package org.knowcoder.ie.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scorer-cases file ({@code ../shared/fixtures/ie/scorer-cases.json}): per task, class-to-label
 * maps, a parent map for superclass induction, and cases of sentence, gold tuples, generated code and
 * the predictions that must survive.
 */
public record ScorerCases(Map<Task, LabelMap> labels, TypeHierarchy hierarchy, Map<Task, List<Case>> cases) {

    public record Case(String sentence, Set<Tuple> gold, String output, Set<Tuple> expected) {}

    public static ScorerCases read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ":" + (e.getLocation() == null ? 0 : e.getLocation().getLineNr()) + ": not valid JSON ("
                    + e.getOriginalMessage() + "); expected a scorer-cases object");
        }
        try {
            return parse(root);
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage(), e);
        }
    }

    private static ScorerCases parse(JsonNode root) {
        Map<Task, LabelMap> labels = new LinkedHashMap<>();
        root.path("schema").path("labels").properties().forEach(e -> labels.put(Task.parse(e.getKey()), LabelMap.of(strings(e.getValue()))));
        TypeHierarchy hierarchy = TypeHierarchy.of(strings(root.path("schema").path("parents")));
        Map<Task, List<Case>> cases = new LinkedHashMap<>();
        JsonNode tasks = root.get("tasks");
        if (tasks == null || !tasks.isObject()) throw new BadInputException("expected an object \"tasks\"");
        for (Map.Entry<String, JsonNode> t : tasks.properties()) {
            Task task = Task.parse(t.getKey());
            if (!labels.containsKey(task)) throw new BadInputException("no schema.labels for task " + task);
            List<Case> list = new ArrayList<>();
            for (JsonNode c : t.getValue().path("cases")) {
                JsonNode sentence = c.get("sentence"), output = c.get("output");
                if (sentence == null || !sentence.isTextual() || output == null || !output.isTextual()) {
                    throw new BadInputException(task + " case " + list.size() + ": expected strings \"sentence\" and \"output\"");
                }
                list.add(new Case(sentence.textValue(), tuples(c.path("gold")), output.textValue(), tuples(c.path("expected_predictions"))));
            }
            cases.put(task, list);
        }
        return new ScorerCases(labels, hierarchy, cases);
    }

    /** The tuples that survive parsing and filtering for one case (text spans, as the file gives them). */
    public Set<Tuple> predictions(Task task, Case c) {
        return Predictions.of(task, c.sentence, OutputParser.parse(c.output), labels.get(task), hierarchy, SpanMode.TEXT);
    }

    /** Micro scores over all cases of each task, in the file's order. */
    public Map<Task, Counts> score() {
        Map<Task, Counts> out = new LinkedHashMap<>();
        cases.forEach((task, list) -> {
            Scorer scorer = new Scorer();
            for (Case c : list) scorer.add("cases", predictions(task, c), c.gold);
            out.put(task, scorer.total());
        });
        return out;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Set<Tuple> tuples(JsonNode array) {
        Set<Tuple> out = new LinkedHashSet<>();
        for (JsonNode t : array) {
            List<String> fields = new ArrayList<>();
            t.forEach(f -> fields.add(f.asText()));
            if (fields.size() < 2) throw new BadInputException("a tuple needs a label and a span, got " + t);
            out.add(new Tuple(fields));
        }
        return out;
    }
}

package org.knowcoder.ie.text;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.data.Split;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.eval.GoldTuples;
import org.knowcoder.ie.eval.Predictions;
import org.knowcoder.ie.eval.SampleScores;
import org.knowcoder.ie.eval.Scorer;
import org.knowcoder.ie.eval.SpanMode;
import org.knowcoder.ie.eval.Tuple;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.prompt.ResultsCode;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What extraction on text reports is what the benchmark scorer counts: for conll04's test sentences
 * (those that are one prompt, written as they are) and the same generated code (gold answers plus a repeated instance, a span not in the sentence
 * and a class outside the schema), the tuples of the text path's entities and relations, mapped to
 * labels, equal the tuples the scorer takes from the code; and its output re-scored by
 * {@link SampleScores} (what {@code score --predictions} runs) gives the counts eval gives that code.
 */
class RoundTripTest {
    @Test
    void extractedSpansAreTheScoredTuples() throws IOException {
        // the sentences that are one prompt, written as they are: the splitter ends some after an
        // abbreviation ("2 a.m. EST"), and in a quarter the prompt sets a final period apart ("said."
        // becomes "said ."), where a gold span that ends with it no longer occurs
        List<Sample> samples = test("conll04").stream().filter(s -> Chunker.sentences(s.text()).size() == 1
                && PromptText.of(s.text(), 0, s.text().length()).text.equals(s.text())).limit(60).toList();
        Map<Task, LabelMap> labels = DatasetLabels.load("conll04");
        Map<String, String> code = new HashMap<>();
        for (Sample s : samples) {
            for (Task t : List.of(Task.NER, Task.RE)) {
                String gold = ResultsCode.of(t, s, labels.get(t));
                String first = gold.lines().skip(1).findFirst().orElse("").replaceAll(",$", "");
                String noise = gold.equals("results = []") ? gold : gold.substring(0, gold.length() - 2) + ",\n\tUnknownClass(\""
                        + s.text().split(" ")[0] + "\"),\n\tPerson(\"not in the sentence\"),\n" + first + "\n]";
                code.put(t + "|" + s.text(), noise);
            }
        }
        List<Concept> concepts = new ArrayList<>();
        Map<Kind, List<String>> chosen = new HashMap<>();
        for (Task t : List.of(Task.NER, Task.RE)) {
            List<String> classes = List.copyOf(labels.get(t).classToLabel().keySet());
            classes.forEach(c -> concepts.add(Concept.builder(t.kind(), c).build()));
            chosen.put(t.kind(), classes);
        }
        TextPipeline pipeline = new TextPipeline(new ScriptedModel(k -> code.getOrDefault(k, "results = []")),
                new TypeSet(SchemaLibrary.of(concepts), chosen), Set.of(), 10_000, false, false);
        Map<Task, Scorer> evalScores = new EnumMap<>(Task.class);
        List<Sample> extracted = new ArrayList<>();
        for (Sample s : samples) {
            TextResult r = pipeline.extract(s.id(), s.text(), null).join();
            extracted.add(new Sample(s.id(), s.dataset(), s.text(), r.entities(), r.relations(), r.events()));
            for (Task t : List.of(Task.NER, Task.RE)) {
                evalScores.computeIfAbsent(t, x -> new Scorer()).add("conll04", scored(t, s, code, labels), GoldTuples.of(t, s, SpanMode.TEXT));
            }
            Map<String, String> ner = labels.get(Task.NER).classToLabel(), re = labels.get(Task.RE).classToLabel();
            Set<Tuple> entities = new LinkedHashSet<>(), relations = new LinkedHashSet<>();
            r.entities().forEach(m -> entities.add(Tuple.of(ner.get(m.type()), m.text())));
            r.relations().forEach(x -> relations.add(Tuple.of(re.get(x.type()), x.head().text(), x.tail().text())));
            assertEquals(scored(Task.NER, s, code, labels), entities, s.text());
            assertEquals(scored(Task.RE, s, code, labels), relations, s.text());
        }
        // the extraction's output re-scored, as `score --predictions` does, gives eval's counts for the same code
        Map<Task, Scorer> rescored = SampleScores.score("conll04", labels, extracted, samples);
        for (Task t : List.of(Task.NER, Task.RE)) assertEquals(evalScores.get(t).total(), rescored.get(t).total(), t.name());
        assertTrue(evalScores.get(Task.NER).total().tp() > 0 && evalScores.get(Task.RE).total().tp() > 0, evalScores::toString);
    }

    private static Set<Tuple> scored(Task task, Sample s, Map<String, String> code, Map<Task, LabelMap> labels) {
        return Predictions.of(task, s.text(), OutputParser.parse(code.get(task + "|" + s.text())), labels.get(task), TypeHierarchy.NONE, SpanMode.TEXT);
    }

    private static List<Sample> test(String dataset) throws IOException {
        for (Split split : DatasetCatalog.read(SharedFiles.datasets(), DatasetCatalog.entry(dataset))) {
            if (split.name().equals("test")) return split.samples();
        }
        throw new AssertionError(dataset + " has no test split");
    }
}

package org.knowcoder.ie.eval;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.schema.Task;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScorerTest {
    private static final LabelMap NER = LabelMap.of(Map.of("Person", "person", "Location", "location"));

    @Test
    void perTypePerDatasetAndMacro() {
        Scorer s = new Scorer();
        s.add("a", Set.of(Tuple.of("person", "Ann"), Tuple.of("location", "Rome")), Set.of(Tuple.of("person", "Ann")));
        s.add("b", Set.of(Tuple.of("person", "Bob")), Set.of(Tuple.of("person", "Bob"), Tuple.of("location", "Oslo")));
        assertEquals(new Counts(3, 3, 2), s.total());
        assertEquals(Map.of("person", new Counts(2, 2, 2), "location", new Counts(1, 1, 0)), s.perType());
        assertEquals(Map.of("a", new Counts(2, 1, 1), "b", new Counts(1, 2, 1)), s.perDataset());
        Scorer.Macro m = s.macroOverDatasets();
        assertEquals(0.75, m.precision(), 1e-12);
        assertEquals(0.75, m.recall(), 1e-12);
        assertEquals(2.0 / 3, m.f1(), 1e-12);
    }

    @Test
    void emptyScoresAreZero() {
        assertEquals(0.0, Counts.ZERO.f1());
        assertEquals(new Scorer.Macro(0, 0, 0), new Scorer().macroOverDatasets());
    }

    @Test
    void offsetModePlacesAStringAtItsFirstOccurrence() {
        Sample gold = new Sample("1", "d", "Paris, not Paris Hilton, is in France.", List.of(Mention.of("location", "Paris, not Paris Hilton, is in France.", 0, 5)),
                List.of(), List.of());
        Set<Tuple> predicted = Predictions.of(Task.NER, gold.text(), OutputParser.parse("results = [Location(\"Paris\")]"), NER, TypeHierarchy.NONE, SpanMode.OFFSETS);
        assertEquals(Set.of(Tuple.of("location", "0:5")), predicted);
        assertEquals(predicted, GoldTuples.of(Task.NER, gold, SpanMode.OFFSETS));
    }

    @Test
    void offsetModePlacesAnArgumentNearestTheTrigger() {
        String text = "Ann left. Later Ann married Bob.";
        Sample gold = new Sample("1", "d", text, List.of(), List.of(), List.of(new Event("marry", Mention.of(null, text, 20, 27),
                List.of(new Argument("person", Mention.of(null, text, 16, 19)), new Argument("person", Mention.of(null, text, 28, 31))))));
        LabelMap labels = LabelMap.of(Map.of("Marry", "marry"));
        Set<Tuple> predicted = Predictions.of(Task.EAE, text, OutputParser.parse("results = [Marry(trigger=\"married\", person=[Entity(\"Ann\"), Entity(\"Bob\")])]"),
                labels, TypeHierarchy.NONE, SpanMode.OFFSETS);
        assertEquals(Set.of(Tuple.of("marry", "person", "16:19"), Tuple.of("marry", "person", "28:31")), predicted);
        assertEquals(predicted, GoldTuples.of(Task.EAE, gold, SpanMode.OFFSETS));
        assertEquals(Set.of(Tuple.of("marry", "married")), GoldTuples.of(Task.ED, gold, SpanMode.TEXT));
    }

    @Test
    void filtersOnRealisticOutput() {
        String sentence = "Ann met Bob in Rome.";
        Set<Tuple> ner = Predictions.of(Task.NER, sentence, OutputParser.parse(
                "results = [Person(\"Ann\"), Person(name=\"Bob\"), Person(\"\"), Person(\"Carl\"), Animal(\"Rome\"), Person(\"Ann\")]"),
                NER, TypeHierarchy.NONE, SpanMode.TEXT);
        assertEquals(Set.of(Tuple.of("person", "Ann"), Tuple.of("person", "Bob")), ner);
        LabelMap re = LabelMap.of(Map.of("Meet", "meet"));
        Set<Tuple> rel = Predictions.of(Task.RE, sentence, OutputParser.parse(
                "results = [Meet(Entity(\"Ann\"), tail_entity=Entity(\"Bob\")), Meet(\"Ann\", \"Ann\"), Meet(Entity(\"Ann\"))]"),
                re, TypeHierarchy.NONE, SpanMode.TEXT);
        assertEquals(Set.of(Tuple.of("meet", "Ann", "Bob")), rel);
    }
}

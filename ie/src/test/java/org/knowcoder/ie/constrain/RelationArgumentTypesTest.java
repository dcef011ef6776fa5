package org.knowcoder.ie.constrain;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Constrained decoding, item 1: a relation's head and tail are written as Entity, a hinted type or,
 * where the schema library says so, a subclass of one; other entity classes are refused.
 */
class RelationArgumentTypesTest {
    private static final String SENTENCE = "Ann, a senator, works for Acme.";
    private static final SchemaLibrary LIBRARY = SchemaLibrary.of(List.of(
            Concept.builder(Kind.ENTITY, "Person").build(),
            Concept.builder(Kind.ENTITY, "Politician").parent("Person").build(),
            Concept.builder(Kind.ENTITY, "Senator").parent("Politician").build(),
            Concept.builder(Kind.ENTITY, "Organization").build(),
            Concept.builder(Kind.ENTITY, "Location").build(),
            Concept.builder(Kind.RELATION, "WorkFor").headTypes(List.of("Person")).tailTypes(List.of("Organization")).build()));
    private static final LabelMap LABELS = LabelMap.of(Map.of("WorkFor", "work_for"));

    @Test
    void subclassesOfTheHintedTypesAreAcceptedOthersAreNot() {
        DatasetSchema schema = DatasetSchema.of(Task.RE, LABELS, LIBRARY);
        ResultsGrammar grammar = ResultsGrammar.of(schema, SENTENCE);
        assertAll(
                () -> assertFalse(schema.classCode().contains("Politician"), "the prompt shows the hints as the library writes them"),
                () -> assertTrue(accepts(grammar, "WorkFor(Person(\"Ann\"), Organization(\"Acme\"))"), "a hinted type"),
                () -> assertTrue(accepts(grammar, "WorkFor(Entity(\"Ann\"), Entity(\"Acme\"))"), "the base class"),
                () -> assertTrue(accepts(grammar, "WorkFor(Politician(\"Ann\"), Organization(\"Acme\"))"), "a subclass"),
                () -> assertTrue(accepts(grammar, "WorkFor(Senator(\"Ann\"), Organization(\"Acme\"))"), "a subclass of a subclass"),
                () -> assertFalse(accepts(grammar, "WorkFor(Location(\"Ann\"), Organization(\"Acme\"))"), "a type the hint does not cover"),
                () -> assertFalse(accepts(grammar, "WorkFor(Person(\"Ann\"), Senator(\"Acme\"))"), "the tail's hint is Organization"));
    }

    /** Whether the one-item block of {@code item} is a whole answer of the grammar. */
    private static boolean accepts(ResultsGrammar grammar, String item) {
        ResultsGrammar.State s = grammar.start();
        for (byte b : ("results = [\n\t" + item + "\n]").getBytes(StandardCharsets.UTF_8)) {
            s = grammar.step(s, b & 0xFF);
            if (s == null) return false;
        }
        return grammar.isEnd(s);
    }
}

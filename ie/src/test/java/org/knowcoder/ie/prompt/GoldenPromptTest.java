package org.knowcoder.ie.prompt;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The full model input for each task and setting, frozen after being checked by eye against
 * DESIGN.md's "KnowCoder prompt": chat wrapper, base classes, classes in the evaluation form,
 * instruction (with the dataset for refined models), few-shot examples, sentence; laid out as the
 * released evaluation's templates (Entity defined for RE and EAE, RE's import line, EAE's trailing space).
 * Set {@code -Dgolden.update=DIR} to write the current inputs to DIR for review.
 */
class GoldenPromptTest {
    static final SchemaLibrary LIBRARY = SchemaLibrary.of(List.of(
            Concept.builder(Kind.ENTITY, "Person").build(),
            Concept.builder(Kind.ENTITY, "Human").parent("Person").build(),
            Concept.builder(Kind.ENTITY, "Organization").build(),
            Concept.builder(Kind.ENTITY, "GeographicLocation").build(),
            Concept.builder(Kind.RELATION, "WorkFor").headTypes(List.of("Human")).tailTypes(List.of("Organization")).build(),
            Concept.builder(Kind.RELATION, "LocatedIn").headTypes(List.of("Organization", "Human")).tailTypes(List.of("GeographicLocation")).build(),
            Concept.builder(Kind.EVENT, "Marry").roles(List.of(new Role("person", List.of("Human")), new Role("place", List.of("GeographicLocation")))).build()));

    static final LabelMap NER = LabelMap.of(Map.of("Human", "person", "Organization", "organisation"));
    static final LabelMap RE = LabelMap.of(Map.of("WorkFor", "work for", "LocatedIn", "located in"));
    static final LabelMap EVENTS = new LabelMap(Map.of("Marry", "Life:Marry"), Map.of("person", "Person", "place", "Place"));

    static final Sample EXAMPLE = new Sample("ex-1", "toy", "Ann works for Acme.",
            List.of(new Mention("person", "Ann", 0, 3), new Mention("organisation", "Acme", 14, 18)),
            List.of(new Relation("work for", new Mention("person", "Ann", 0, 3), new Mention("organisation", "Acme", 14, 18))), List.of());
    static final Sample MARRIAGE = new Sample("ex-2", "toy", "Ann married Bob in Paris.", List.of(), List.of(),
            List.of(new Event("Life:Marry", new Mention("trigger", "married", 4, 11),
                    List.of(new Argument("Person", new Mention("Person", "Bob", 12, 15)), new Argument("Place", new Mention("Place", "Paris", 19, 24))))));

    private static final String SENTENCE = "Bob, a \"quiet\" man, joined Acme in Paris.";

    @Test
    void nerZeroShot() throws IOException {
        check("ner-zero-shot.txt", new Query(DatasetSchema.of(Task.NER, NER, LIBRARY), null, List.of()).prompt(SENTENCE));
    }

    @Test
    void nerFewShotRefined() throws IOException {
        Query q = new Query(DatasetSchema.of(Task.NER, NER, LIBRARY), "CoNLL03",
                List.of(new Query.Example(EXAMPLE.text(), ResultsCode.of(Task.NER, EXAMPLE, NER))));
        check("ner-few-shot-refined.txt", q.prompt(SENTENCE));
    }

    @Test
    void reZeroShotImportsItsEntityTypes() throws IOException {
        check("re-zero-shot.txt", new Query(DatasetSchema.of(Task.RE, RE, LIBRARY), null,
                List.of(new Query.Example(EXAMPLE.text(), ResultsCode.of(Task.RE, EXAMPLE, RE)))).prompt(SENTENCE));
    }

    @Test
    void edAndEaeWithConfirmedTriggers() throws IOException {
        check("ed-zero-shot.txt", new Query(DatasetSchema.of(Task.ED, EVENTS, LIBRARY), null, List.of()).prompt(MARRIAGE.text()));
        check("eae-few-shot.txt", new Query(DatasetSchema.of(Task.EAE, EVENTS, LIBRARY), null,
                List.of(new Query.Example(MARRIAGE.text(), ResultsCode.of(Task.EAE, MARRIAGE, EVENTS))))
                .prompt(MARRIAGE.text()));
    }

    @Test
    void withoutLibraryClassesAreBare() throws IOException {
        check("ner-no-library.txt", new Query(DatasetSchema.of(Task.NER, NER, null), null, List.of()).prompt("Ann works."));
    }

    private static void check(String name, String prompt) throws IOException {
        String dir = System.getProperty("golden.update");
        if (dir != null) Files.writeString(Path.of(dir).resolve(name), prompt);
        try (InputStream in = GoldenPromptTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "golden file " + name + " is missing (run with -Dgolden.update=DIR to write it)");
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), prompt, name);
        }
    }
}

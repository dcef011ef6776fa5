package org.knowcoder.ie.prompt;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.extract.ExtractionJob;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23 item 4: a schema library that lacks a class of a dataset's label map (KnowCoder's released
 * definitions have no MiscellaneousEntity for conll2003's "misc") still gives prompts: that class is
 * defined bare, as without a library, and the job carries a warning naming it, its label and the way
 * to describe it.
 */
class DatasetSchemaTest {
    private static final LabelMap CONLL = LabelMap.of(Map.of("Human", "person", "MiscellaneousEntity", "misc"));
    private static final SchemaLibrary LIBRARY = SchemaLibrary.of(List.of(
            Concept.builder(Kind.ENTITY, "Person").build(), Concept.builder(Kind.ENTITY, "Human").parent("Person").build()));

    @Test
    void aClassTheLibraryLacksIsDefinedBareAndNamedInAWarning() {
        DatasetSchema schema = DatasetSchema.of(Task.NER, CONLL, LIBRARY);
        String bare = DatasetSchema.of(Task.NER, CONLL, null).classCode();
        String misc = "class MiscellaneousEntity(Entity):\n\tpass";
        Optional<String> warning = new ExtractionJob("conll2003", Task.NER, List.of(), new Query(schema, null, List.of()), CONLL)
                .undefinedClassesWarning();
        assertAll(() -> assertEquals(List.of("MiscellaneousEntity"), schema.undefined()),
                () -> assertTrue(schema.classCode().contains(misc) && bare.contains(misc), schema::classCode),
                () -> assertTrue(schema.classCode().contains("class Human(Person):"), "the class the library has keeps its definition"),
                () -> assertTrue(warning.isPresent()),
                () -> assertTrue(warning.orElseThrow().startsWith("warning: the schema library has no entity class MiscellaneousEntity"
                        + " (conll2003 label misc); the NER prompts define it bare"), warning::orElseThrow),
                () -> assertTrue(warning.orElseThrow().contains("schema import"), warning::orElseThrow));
    }

    @Test
    void noWarningWhenTheLibraryHasEveryClassOrThereIsNoLibrary() {
        SchemaLibrary full = SchemaLibrary.of(List.of(Concept.builder(Kind.ENTITY, "Human").build(),
                Concept.builder(Kind.ENTITY, "MiscellaneousEntity").build()));
        for (SchemaLibrary library : java.util.Arrays.asList(full, null)) {
            DatasetSchema schema = DatasetSchema.of(Task.NER, CONLL, library);
            assertEquals(List.of(), schema.undefined());
            assertEquals(Optional.empty(), new ExtractionJob("conll2003", Task.NER, List.of(), new Query(schema, null, List.of()), CONLL)
                    .undefinedClassesWarning());
        }
    }
}

package org.knowcoder.schema;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Acceptance 2: rendering then importing gives back the concepts, for generated libraries in every task and style. */
class RoundTripTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void importInvertsRenderingOfEachClass(long seed) {
        SchemaLibrary library = SchemaLibrary.of(RandomSchemas.library(seed, 60));
        for (Concept c : library.concepts()) {
            for (Task task : Task.values()) {
                if (task.kind() != c.kind()) continue;
                for (Style style : Style.values()) {
                    String code = PythonRenderer.render(c, task, style);
                    assertEquals(List.of(visible(c, task, style)), PythonImporter.parse(code, "test"), () -> code);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void importInvertsAWholePrompt(long seed) {
        SchemaLibrary library = SchemaLibrary.of(RandomSchemas.library(seed, 40));
        for (Task task : Task.values()) {
            List<Concept> concepts = library.taxonomy(task.kind()).concepts();
            String code = PythonRenderer.render(concepts, task, Style.FOLLOWING);
            assertEquals(concepts.stream().map(c -> visible(c, task, Style.FOLLOWING)).toList(), PythonImporter.parse(code, "test"));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32})
    void jsonKeepsEverything(long seed, @TempDir Path dir) throws IOException {
        SchemaLibrary library = SchemaLibrary.of(RandomSchemas.library(seed, 80));
        Comparator<Concept> order = Comparator.comparing(Concept::kind).thenComparing(Concept::name);
        List<Concept> expected = library.concepts().stream().sorted(order).toList();
        SchemaJson.write(library, dir.resolve("one.json"));
        assertEquals(expected, SchemaJson.read(dir.resolve("one.json")).concepts());
        SchemaJson.writeSplit(library, dir.resolve("split"));
        assertEquals(expected, SchemaJson.read(dir.resolve("split")).concepts());
    }

    /** What a class in this task and style shows of a concept: never ids or counts; types, roles, examples as the form has them. */
    static Concept visible(Concept c, Task task, Style style) {
        Concept.Builder b = c.toBuilder().ids(List.of()).instances(0);
        if (style == Style.EVAL) b.description("").examples(List.of()).pairExamples(List.of());
        if (task == Task.ED) b.roles(c.roles().stream().map(r -> new Role(r.name())).toList());
        if (task != Task.ED || style == Style.FOLLOWING) b.edSignature(EdSignature.KEYWORD);
        return b.build();
    }
}

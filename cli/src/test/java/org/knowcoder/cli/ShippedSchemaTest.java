package org.knowcoder.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * models/knowcoder-mini/schema.json, the schema of the types the shipped model knows: valid, in the
 * library's canonical form, and a documented class for every label of every dataset's label map.
 */
class ShippedSchemaTest {
    private static final Path SCHEMA = Fixtures.root().resolve("models/knowcoder-mini/schema.json");

    @Test
    void schemaValidateAcceptsIt() {
        CliRun r = CliRun.inProcess("schema", "validate", "--library", SCHEMA);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"valid\":true"), r.out());
    }

    /** Equal libraries are equal files: the file is what SchemaJson writes for it, so a rewrite shows no diff. */
    @Test
    void isInCanonicalForm(@TempDir Path tmp) throws IOException {
        Path rewritten = tmp.resolve("schema.json");
        SchemaJson.write(SchemaJson.read(SCHEMA), rewritten);
        assertArrayEquals(Files.readAllBytes(SCHEMA), Files.readAllBytes(rewritten));
    }

    @TestFactory
    Stream<DynamicTest> everyLabelOfEveryDatasetIsADocumentedClass() throws IOException {
        SchemaLibrary library = SchemaJson.read(SCHEMA);
        return DatasetCatalog.ENTRIES.stream().map(entry -> DynamicTest.dynamicTest(entry.name(), () -> {
            Map<Task, LabelMap> maps = DatasetLabels.load(entry.name());
            assertFalse(maps.isEmpty());
            for (Map.Entry<Task, LabelMap> m : maps.entrySet()) {
                Kind kind = m.getKey().kind();
                assertAll(m.getValue().classToLabel().entrySet().stream().map(label -> () -> {
                    String what = entry.name() + " " + m.getKey() + " label " + label.getValue() + " (class " + label.getKey() + ")";
                    Concept c = library.get(kind, label.getKey()).orElseThrow(() -> new AssertionError(what + " is not in the schema"));
                    assertFalse(c.description().isBlank(), what + " has no description");
                    assertTrue((kind == Kind.RELATION ? c.pairExamples().size() : c.examples().size()) >= 2, what + " has fewer than 2 examples");
                }));
                if (m.getKey() == Task.EAE) {
                    Set<String> roles = m.getValue().classToLabel().keySet().stream()
                            .flatMap(event -> library.get(Kind.EVENT, event).orElseThrow().roles().stream()).map(Role::name)
                            .collect(Collectors.toSet());
                    assertTrue(roles.containsAll(m.getValue().argumentToRole().keySet()),
                            entry.name() + ": roles without an event that has them: "
                                    + m.getValue().argumentToRole().keySet().stream().filter(r -> !roles.contains(r)).toList());
                }
            }
        }));
    }
}

package org.knowcoder.schema;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 1: KnowCoder's released class definitions and prompt classes, imported into a library and rendered back byte for byte. */
class ReferenceRenderingTest {

    @Test
    void everyEvaluationClassRendersIdenticallyFromTheLibrary(@TempDir Path dir) throws IOException {
        List<Path> files = Reference.classDefs();
        SchemaLibrary imported = SchemaLibrary.of(SchemaImport.withStubs(SchemaImport.read(files)));
        Path stored = dir.resolve("library.json");
        SchemaJson.write(imported, stored);
        SchemaLibrary library = SchemaJson.read(stored);
        int checked = 0;
        for (Path f : files) {
            Task task = Reference.taskOf(f);
            for (Map.Entry<String, JsonNode> e : Reference.json(f).properties()) {
                String expected = e.getValue().asText();
                String name = e.getKey();
                String actual = expected.startsWith("class " + name + ":")
                        ? PythonRenderer.baseClasses(task, Style.EVAL).getFirst()
                        : PythonRenderer.render(library.get(task.kind(), name).orElseThrow(), task, Style.EVAL);
                assertEquals(expected, actual, f.getFileName() + " " + name);
                checked++;
            }
        }
        assertEquals(98 + 64 + 14 + 39, checked);
    }

    @Test
    void everyPromptsClassesRenderIdenticallyFromTheLibrary() throws IOException {
        List<String> prompts = Reference.promptClasses();
        List<Concept> all = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) all.addAll(PythonImporter.parse(prompts.get(i), "prompt " + i));
        SchemaLibrary library = SchemaLibrary.of(SchemaImport.withStubs(SchemaImport.merge(all)));
        for (int i = 0; i < prompts.size(); i++) {
            String classes = prompts.get(i);
            Task task = Reference.taskOfPrompt(classes);
            List<Concept> selected = PythonImporter.parse(classes, "prompt " + i).stream()
                    .map(c -> library.get(c.kind(), c.name()).orElseThrow()).toList();
            assertTrue(!selected.isEmpty(), "prompt " + i + " defines classes");
            assertEquals(classes, PythonRenderer.render(selected, task, Style.FOLLOWING), "prompt " + i);
        }
    }

    @Test
    void evaluationBaseClassesAreThoseOfTheReference() throws IOException {
        for (Path f : Reference.classDefs()) {
            Task task = Reference.taskOf(f);
            String base = task.kind().baseClass();
            assertEquals(Reference.json(f).path(base).asText(), PythonRenderer.baseClasses(task, Style.EVAL).getFirst(), f.toString());
        }
    }
}

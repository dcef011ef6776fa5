package org.knowcoder.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;


/** KnowCoder's released class definitions and prompts in {@code ../shared/knowcoder-reference}; tests skip without them. */
final class Reference {
    private Reference() {}

    /** Where the schema-following prompt's class part ends and its instruction begins. */
    static final String INSTRUCTION = "\n\n\"\"\"\nThis is an object-oriented";

    static Path file(String name) {
        return SharedFiles.path("knowcoder-reference/" + name);
    }

    /** The four evaluation files and the task each is for. */
    static List<Path> classDefs() {
        return List.of(file("entity_class_defs.json"), file("relation_class_defs.json"), file("ed_class_defs.json"),
                file("eae_class_defs.json"));
    }

    static Task taskOf(Path classDefs) {
        return Task.parse(classDefs.getFileName().toString().replace("_class_defs.json", "")
                .replace("entity", "ner").replace("relation", "re"));
    }

    static JsonNode json(Path file) throws IOException {
        return SharedFiles.json(file);
    }

    /** The class part of each prompt in example_data.jsonl: everything before the instruction. */
    static List<String> promptClasses() throws IOException {
        List<String> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(file("example_data.jsonl"))) {
            String prompt = json.readTree(line).path("one-stage").path("zero-shot").path("prompt").asText();
            int end = prompt.indexOf(INSTRUCTION);
            if (end < 0) throw new AssertionError("prompt without the instruction: " + prompt);
            out.add(prompt.substring(0, end));
        }
        return out;
    }

    /** The task a prompt's classes are for, from its base classes and instruction. */
    static Task taskOfPrompt(String classes) {
        if (classes.contains("class Relation:")) return Task.RE;
        if (!classes.contains("class Event:")) return Task.NER;
        return classes.contains("\tdef __init__(self, trigger: str):") ? Task.EAE : Task.ED;
    }
}

package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.prompt.PyCode;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.PythonImporter;
import org.knowcoder.schema.SchemaImport;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;
import org.knowcoder.testing.SharedFiles;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Acceptance 1: every schema-following prompt and output of KnowCoder's released training samples
 * is rebuilt byte for byte from the sentence, the annotations and the classes the prompt shows.
 */
class ReferenceExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTRUCTION = "\n\n\"\"\"\nThis is an object-oriented programming task";

    @Test
    void promptsAndOutputsAreReproduced() throws Exception {
        List<String> lines = Files.readAllLines(SharedFiles.path("knowcoder-reference/example_data.jsonl"));
        assertEquals(9, lines.size());
        for (String line : lines) {
            JsonNode o = JSON.readTree(line);
            String prompt = o.at("/one-stage/zero-shot/prompt").asText();
            String output = o.at("/one-stage/output").asText();
            List<Concept> shown = PythonImporter.parse(prompt.substring(0, prompt.indexOf(INSTRUCTION)), "prompt");
            ClassResolver classes = new ClassResolver(SchemaLibrary.of(SchemaImport.withStubs(shown)));
            Sample sample = sample(o);
            Task task = task(o, prompt);
            Gold gold = Gold.of(task, sample, classes);
            assertEquals(prompt, FollowingPrompt.query(task, shown, sample.text(), null, gold.confirmedTriggers()), sample.text());
            assertEquals(output, PyCode.results(gold.instances()), sample.text());
        }
    }

    private static Task task(JsonNode o, String prompt) {
        if (o.has("entities")) return Task.NER;
        if (o.has("relations")) return Task.RE;
        return prompt.contains("triggers of the events are confirmed") ? Task.EAE : Task.ED;
    }

    /** The released annotations as an IE sample; entities there have no offsets, so the first occurrence stands in. */
    private static Sample sample(JsonNode o) {
        String text = o.get("sentence").asText();
        List<Mention> entities = new ArrayList<>();
        for (JsonNode e : o.path("entities")) {
            String name = e.get("name").asText();
            int start = text.indexOf(name);
            entities.add(Mention.of(e.get("type").asText(), text, start, start + name.length()));
        }
        List<Relation> relations = new ArrayList<>();
        for (JsonNode r : o.path("relations")) relations.add(new Relation(r.get("type").asText(), span(r.get("head"), "name"), span(r.get("tail"), "name")));
        List<Event> events = new ArrayList<>();
        for (JsonNode e : o.path("events")) {
            List<Argument> args = new ArrayList<>();
            for (JsonNode a : e.path("arguments")) args.add(new Argument(a.get("role").asText(), span(a, "name")));
            events.add(new Event(e.get("type").asText(), span(e, "trigger"), args));
        }
        return new Sample("", "", text, entities, relations, events);
    }

    /**
     * A span as annotated: its text from the annotation, which is not always the sentence's text at
     * its offsets (the trigger "school" marks "School"), and the output uses the annotation.
     */
    private static Mention span(JsonNode m, String textField) {
        return new Mention(null, m.get(textField).asText(), m.get("pos").get(0).asInt(), m.get("pos").get(1).asInt());
    }
}

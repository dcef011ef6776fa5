package org.knowcoder.ie.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real outputs (the scorer cases' generated code and KnowCoder's released sample outputs), cut at
 * every position and mutated at random: the parser never throws, and a cut output yields a prefix
 * of the whole output's instances (a cut can lose instances, never invent or reorder them).
 */
class OutputParserFuzzTest {
    private static final String SYNTAX = "()[]=,\"'\\\n\t #";

    private static List<String> realOutputs() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        JsonNode cases = json.readTree(SharedFiles.path("fixtures/ie/scorer-cases.json").toFile());
        cases.path("tasks").forEach(t -> t.path("cases").forEach(c -> out.add(c.path("output").asText())));
        for (String line : Files.readAllLines(SharedFiles.path("knowcoder-reference/example_data.jsonl"))) {
            JsonNode sample = json.readTree(line);
            if (sample.path("one-stage").has("output")) out.add(sample.path("one-stage").get("output").asText());
        }
        return out;
    }

    @Test
    void everyCutYieldsAPrefixOfTheInstances() throws IOException {
        for (String output : realOutputs()) {
            List<PyValue.Call> whole = OutputParser.parse(output);
            for (int cut = 0; cut <= output.length(); cut++) {
                List<PyValue.Call> part = OutputParser.parse(output.substring(0, cut));
                assertEquals(whole.subList(0, part.size()), part, () -> "cut of: " + output);
            }
        }
    }

    @Test
    void randomMutationsNeverThrow() throws IOException {
        List<String> outputs = realOutputs();
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder(outputs.get(random.nextInt(outputs.size())));
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits && !s.isEmpty(); e++) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(4)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, SYNTAX.charAt(random.nextInt(SYNTAX.length())));
                    case 2 -> s.setCharAt(at, (char) random.nextInt(0x3000));
                    default -> s.insert(at, s.substring(at, Math.min(s.length(), at + random.nextInt(40))));
                }
            }
            String mutated = s.substring(0, random.nextInt(s.length() + 1));
            assertDoesNotThrow(() -> OutputParser.parse(mutated), mutated);
        }
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildDataCommandTest {
    @TempDir
    Path dir;

    private Path library() throws Exception {
        Path lib = dir.resolve("schema.json");
        SchemaJson.write(SchemaLibrary.of(List.of(Concept.builder(Kind.ENTITY, "Human").build(), Concept.builder(Kind.ENTITY, "City").build(),
                Concept.builder(Kind.RELATION, "PlaceOfBirth").build())), lib);
        return lib;
    }

    @Test
    void understandingWritesTextAndASummaryAndListsBadLines() throws Exception {
        Path corpus = Files.writeString(dir.resolve("corpus.jsonl"), """
                {"text": "Ann was born in Paris.", "entities": [{"name": "Ann", "types": ["human"]}, {"name": "Paris", "types": ["city"]}], "relations": [{"type": "place of birth", "head": 0, "tail": 1}]}
                {"text": "Mars.", "entities": [{"name": "Mars", "types": ["planet"]}]}
                """);
        CliRun r = CliRun.inProcess("build-data", "understanding", corpus, "--library", library(), "--out", dir.resolve("out"), "--threads", 2);
        assertEquals(0, r.code(), r.err());
        JsonNode summary = new ObjectMapper().readTree(r.out());
        assertEquals(1, summary.get("bad_lines").asInt());
        assertEquals(1, summary.at("/tasks/relation/samples").asInt());
        assertEquals(2, summary.at("/tasks/entity/samples").asInt());
        assertTrue(r.err().contains("corpus.jsonl:2: unknown entity type 'planet'"), r.err());
        assertEquals(4, Files.readAllLines(dir.resolve("out/understanding.jsonl")).size()); // one definition text, three instance codes
    }

    @Test
    void followingWritesInstructions() throws Exception {
        Path samples = Files.writeString(dir.resolve("s.jsonl"), """
                {"id": "1", "dataset": "X", "text": "Ann was born in Paris.", "entities": [{"type": "human", "text": "Ann", "start": 0, "end": 3}]}
                """);
        CliRun r = CliRun.inProcess("build-data", "following", samples, "--library", library(), "--out", dir.resolve("out"),
                "--tasks", "ner", "--fully-negative", "0", "--dataset-tag");
        assertEquals(0, r.code(), r.err());
        JsonNode line = new ObjectMapper().readTree(Files.readString(dir.resolve("out/following.jsonl")));
        assertEquals("results = [\n\tHuman(\"Ann\")\n]", line.get("output").asText());
        assertTrue(line.get("prompt").asText().contains("in the following sentence from X.\n"));
    }

    /** Issue 23 item 18: input of which no line is usable is exit 2 naming the file and the count, and writes nothing. */
    @Test
    void followingWithEveryLineBadIsBadInput() throws Exception {
        Path samples = Files.writeString(dir.resolve("kelm.jsonl"), """
                {"text": "Ann.", "entities": [{"name": "Ann", "types": ["human"]}]}
                not json

                [1, 2]
                """);
        CliRun.inProcess("build-data", "following", samples, "--library", library(), "--out", dir.resolve("out"))
                .assertBadInput("every line of " + samples, "3 bad lines", samples + ":1: ");
        assertTrue(Files.notExists(dir.resolve("out/following.jsonl")));
    }

    @Test
    void badOptionsAreBadInput() throws Exception {
        CliRun.inProcess("build-data", "understanding", "--library", library(), "--out", dir, "--form", "sideways").assertBadInput("sideways");
        CliRun.inProcess("build-data", "following", dir.resolve("none.jsonl"), "--library", library(), "--out", dir).assertBadInput("none.jsonl");
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Path reference(String name) {
        return org.knowcoder.testing.SharedFiles.path("knowcoder-reference/" + name);
    }

    private Path library(String json) throws IOException {
        return Files.writeString(dir.resolve("lib.json"), "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": [" + json + "]}");
    }

    @Test
    void importsTheReferenceAndRendersItBack() throws IOException {
        Path lib = dir.resolve("ref.json");
        CliRun imported = CliRun.inProcess("schema", "import", reference("eae_class_defs.json"), reference("ed_class_defs.json"),
                "--stub-missing", "--out", lib);
        assertEquals(0, imported.code(), imported.err());
        assertEquals(46, JSON.readTree(imported.out()).path("imported").asInt(), "38 EAE and 13 ED classes, 5 of them in both");
        CliRun render = CliRun.inProcess("schema", "render", "--library", lib, "--types", "Acquit,Phishing", "--task", "eae", "--style", "eval");
        assertEquals(0, render.code(), render.err());
        JsonNode defs = JSON.readTree(reference("eae_class_defs.json").toFile());
        assertEquals(defs.get("Event").asText() + "\n\n" + defs.get("Acquit").asText() + "\n\n" + defs.get("Phishing").asText() + "\n",
                render.out());
        CliRun stats = CliRun.inProcess("schema", "stats", "--library", lib);
        assertEquals(47, JSON.readTree(stats.out()).path("event").path("types").asInt(), "and ParticipantIn, Conflict's parent, as a stub");
        CliRun valid = CliRun.inProcess("schema", "validate", "--library", lib);
        assertEquals(0, valid.code(), valid.err());
        assertTrue(JSON.readTree(valid.out()).path("valid").asBoolean());
    }

    @Test
    void importWithUnknownParentsWritesNothing() {
        Path out = dir.resolve("out.json");
        CliRun.inProcess("schema", "import", reference("entity_class_defs.json"), "--out", out)
                .assertBadInput("entity Dna", "ChemicalCompound", "[unknown-parent]", "--stub-missing adds a bare class");
        assertFalse(Files.exists(out));
    }

    /** Issue 23 item 4: import's error says that --stub-missing is the way to import classes whose parents are not defined. */
    @Test
    void importOfUndefinedParentsPointsToStubMissing() throws IOException {
        Path py = Files.writeString(dir.resolve("Entities.py"), "class Human(Person):\n\tpass\n");
        Path out = dir.resolve("out.json");
        CliRun.inProcess("schema", "import", py, "--out", out)
                .assertBadInput("entity Human: parent Person is not an entity of the library [unknown-parent]", "--stub-missing");
        assertFalse(Files.exists(out));
        CliRun stubbed = CliRun.inProcess("schema", "import", py, "--out", out, "--stub-missing");
        assertEquals(0, stubbed.code(), stubbed.err());
    }

    /** Issue 23 item 4: a type of another kind than the others (KnowCoder's Location is a relation) is named as such. */
    @Test
    void renderSaysWhatKindEachTypeIs() throws IOException {
        Path lib = library("{\"kind\": \"entity\", \"name\": \"Person\"}, {\"kind\": \"relation\", \"name\": \"Location\"}");
        CliRun.inProcess("schema", "render", "--library", lib, "--types", "Person,Location")
                .assertBadInput("Person,Location are not all of one kind: Person is an entity, Location is a relation");
        CliRun.inProcess("schema", "render", "--library", lib, "--types", "Person,Location", "--task", "ner")
                .assertBadInput("no entity Location in the library (Location is a relation)");
    }

    @Test
    void importNamesTheLineItCannotRead() throws IOException {
        Path py = Files.writeString(dir.resolve("Entities.py"), "class Person(Entity):\n\tpass\n\nclass Human(Person)\n\tpass\n");
        Path out = dir.resolve("out.json");
        CliRun.inProcess("schema", "import", py, "--out", out).assertBadInput("Entities.py:4", "class Human(Person)");
        assertFalse(Files.exists(out));
    }

    @Test
    void validateNamesConceptAndRule() throws IOException {
        Path lib = library("""
                {"kind": "entity", "name": "Human", "parent": "Person"},
                {"kind": "entity", "name": "A", "parent": "B"}, {"kind": "entity", "name": "B", "parent": "A"}""");
        CliRun.inProcess("schema", "validate", "--library", lib)
                .assertBadInput("lib.json", "2 problems", "entity Human: parent Person", "[unknown-parent]", "entity A: is its own ancestor", "[cycle]");
    }

    @Test
    void badLibrariesAndTypes() throws IOException {
        CliRun.inProcess("schema", "stats", "--library", library("{\"kind\": \"thing\", \"name\": \"A\"}"))
                .assertBadInput("lib.json", "concept 0 (A)", "unknown concept kind 'thing'");
        Path lib = library("{\"kind\": \"entity\", \"name\": \"Person\"}");
        CliRun.inProcess("schema", "render", "--library", lib, "--types", "Person,Robot").assertBadInput("no concept Robot");
        CliRun.inProcess("schema", "render", "--library", lib, "--types", "Person", "--task", "re").assertBadInput("no relation Person");
        CliRun.inProcess("schema", "render", "--library", lib, "--types", "Person", "--style", "fancy").assertBadInput("unknown style 'fancy'");
        CliRun.inProcess("schema", "stats", "--library", dir.resolve("missing.json")).assertBadInput("missing.json");
    }

    @Test
    void rendersTheFollowingForm() throws IOException {
        Path lib = library("{\"kind\": \"entity\", \"name\": \"Person\", \"description\": \"A human.\", \"examples\": [\"Ann\", \"Bob\"]}");
        CliRun r = CliRun.inProcess("schema", "render", "--library", lib, "--types", "Person");
        assertEquals(0, r.code(), r.err());
        assertEquals("class Entity:\n\t\"\"\"\n\tThe base class for all entities.\n\t\"\"\"\n\tdef __init__(self, name: str):\n\t\tself.name = name\n\n"
                + "class Person(Entity):\n\t\"\"\"\n\tDescription: A human.\n\tExamples: Ann, Bob\n\t\"\"\"\n\tpass\n", r.out());
    }

    @Test
    void buildsFromItemsAndProperties() throws IOException {
        Path items = Files.writeString(dir.resolve("items.jsonl"), """
                {"id": "Q5", "label": "human", "description": "person", "instances": 100}
                {"id": "Q1", "label": "actor", "subclass_of": ["Q5"], "instances": 3}
                """);
        Path props = Files.writeString(dir.resolve("props.jsonl"), "{\"id\": \"P26\", \"label\": \"spouse\", \"head\": {\"Q5\": 4}, \"tail\": {\"Q5\": 4}}\n");
        Path out = dir.resolve("split");
        CliRun r = CliRun.inProcess("schema", "build", "--items", items, "--properties", props, "--out", out, "--split");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("items: 2 read, 2 selected"), r.err());
        JsonNode stats = JSON.readTree(r.out());
        assertEquals(2, stats.path("entity").path("types").asInt());
        assertEquals(1, stats.path("relation").path("withTypeConstraints").asInt());
        assertTrue(Files.exists(out.resolve("entities.json")) && Files.exists(out.resolve("relations.json")));
        CliRun.inProcess("schema", "build", "--items", Files.writeString(dir.resolve("bad.jsonl"), "{\"id\": \"Q1\"}\n[1]\n"),
                "--properties", props, "--out", dir.resolve("x.json")).assertBadInput("bad.jsonl:2", "expected a JSON object");
        assertFalse(Files.exists(dir.resolve("x.json")));
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code extract} on the user's own text, end to end on a random model in stories260K's shape (the
 * outputs are nonsense; the plumbing must not be): every way of giving text and types gives one
 * line per input whose offsets slice back to their spans, and bad input is one line, exit 2.
 */
class ExtractTextCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The command with the model (its tokenizer found beside it), two new tokens a prompt, one thread. */
    private static Object[] extract(Object... args) {
        List<Object> all = new ArrayList<>(List.of("extract", "--model", OwnModels.stories(), "--max-new-tokens", "2", "--threads", "1"));
        all.addAll(List.of(args));
        return all.toArray();
    }

    private static CliRun withStdin(byte[] stdin, Object... args) {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(stdin));
        try {
            return CliRun.inProcess(args);
        } finally {
            System.setIn(old);
        }
    }

    /** The output lines as JSON, each checked: every span's offsets slice its text out of the input's text. */
    private static List<JsonNode> results(CliRun run) throws IOException {
        assertEquals(0, run.code(), run::err);
        List<JsonNode> out = new ArrayList<>();
        for (String line : run.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            String text = n.get("text").asText();
            List<JsonNode> spans = new ArrayList<>();
            n.get("entities").forEach(spans::add);
            n.get("relations").forEach(r -> { spans.add(r.get("head")); spans.add(r.get("tail")); });
            n.get("events").forEach(e -> { spans.add(e.get("trigger")); e.get("arguments").forEach(spans::add); });
            for (JsonNode s : spans) assertEquals(s.get("text").asText(), text.substring(s.get("start").asInt(), s.get("end").asInt()));
            out.add(n);
        }
        return out;
    }

    @Test
    void textArgumentsGiveOneLineEach() throws IOException {
        List<JsonNode> out = results(CliRun.inProcess(extract("Ann works for Acme in Paris.", "She married Bob.", "--types", "Person,Organization", "--raw")));
        assertAll(() -> assertEquals(List.of("1", "2"), out.stream().map(n -> n.get("id").asText()).toList()),
                () -> assertEquals("She married Bob.", out.get(1).get("text").asText()),
                () -> assertEquals("ner", out.getFirst().get("raw").get(0).get("task").asText(), "--raw adds the code"));
    }

    @Test
    void stdinLinesWithEmptyLinesBadBytesAndALongLine() throws IOException {
        byte[] bad = {'A', 'n', 'n', ' ', (byte) 0xC3, (byte) 0x28, ' ', 'm', 'e', 't', '.'};
        String longLine = "word ".repeat(10_000);
        byte[] stdin = concat("Ann met Bob.\n\n".getBytes(StandardCharsets.UTF_8), bad, ("\n" + longLine + "\n").getBytes(StandardCharsets.UTF_8));
        CliRun run = withStdin(stdin, extract("--input", "-", "--types", "Person"));
        List<JsonNode> out = results(run);
        assertAll(() -> assertEquals(4, out.size(), "one line per input line, the empty one too"),
                () -> assertEquals("", out.get(1).get("text").asText()),
                () -> assertTrue(out.get(2).get("text").asText().contains("\uFFFD"), "bad bytes become U+FFFD"),
                () -> assertEquals(longLine, out.get(3).get("text").asText()),
                () -> assertTrue(out.get(3).get("truncated").asBoolean(), "a 50,000-character line is cut, and says so"),
                () -> assertTrue(run.err().contains("warning: input 4 has a sentence longer than a prompt holds"), run::err));
    }

    @Test
    void jsonlKeepsIdsAndADocumentIsOneInput() throws IOException {
        Path jsonl = Files.writeString(tmp.resolve("in.jsonl"), "{\"id\": \"a\", \"text\": \"Ann met Bob.\"}\n\n{\"text\": \"Lily saw a cat.\"}\n");
        Path doc = Files.writeString(tmp.resolve("doc.txt"), "Ann met Bob. Dr. Smith saw Lily.\n\nA new paragraph starts here.\n");
        List<JsonNode> lines = results(CliRun.inProcess(extract("--input", jsonl, "--types", "Person")));
        List<JsonNode> document = results(CliRun.inProcess(extract("--input", doc, "--types", "Person")));
        assertAll(() -> assertEquals(List.of("a", "3"), lines.stream().map(n -> n.get("id").asText()).toList()),
                () -> assertEquals(1, document.size()),
                () -> assertEquals(Files.readString(doc), document.getFirst().get("text").asText()));
    }

    @Test
    void typesFromAFileAndFromPythonClasses() throws IOException {
        Path types = Files.writeString(tmp.resolve("types.json"), """
                [{"name": "Person", "description": "a human being", "examples": ["Ann"]},
                 {"name": "WorkFor", "kind": "relation", "head": "Person", "tail": "Organization"}]""");
        Path py = Files.writeString(tmp.resolve("Events.py"), """
                class Marry(Event):
                \tdef __init__(
                \t\tself,
                \t\ttrigger: str,
                \t\tperson: List[ Person ]
                \t):
                \t\tsuper().__init__(trigger=trigger)
                \t\tself.person = person
                """);
        CliRun fromFile = CliRun.inProcess(extract("Ann works for Acme.", "--types-file", types, "--raw"));
        CliRun fromPython = CliRun.inProcess(extract("Ann married Bob.", "--schema", py, "--task", "ed", "--raw"));
        JsonNode file = results(fromFile).getFirst(), python = results(fromPython).getFirst();
        assertAll(() -> assertEquals(List.of("ner", "re"), file.get("raw").findValuesAsText("task"), "entity and relation types: NER and RE"),
                () -> assertEquals(List.of("ed"), python.get("raw").findValuesAsText("task")));
    }

    @Test
    void aKilledRunResumes() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.lines"), "Ann met Bob.\nLily saw a cat.\nTom ran.\n");
        Path out = tmp.resolve("out/results.jsonl");
        assertEquals(0, CliRun.inProcess(extract("--input", in, "--types", "Person", "--out", out, "--limit", "1")).code());
        Files.writeString(out, "{\"id\": \"2\", \"te", java.nio.file.StandardOpenOption.APPEND);
        CliRun resumed = CliRun.inProcess(extract("--input", in, "--types", "Person", "--out", out));
        List<String> lines = Files.readAllLines(out);
        assertAll(() -> assertEquals(0, resumed.code(), resumed::err),
                () -> assertEquals("", resumed.out()),
                () -> assertTrue(resumed.err().contains("extract: 2 inputs (1 skipped)"), resumed::err),
                () -> assertEquals(List.of("1", "2", "3"), lines.stream().map(l -> l.replaceAll("\\{\"id\":\"(\\w+)\".*", "$1")).toList()));
    }

    @Test
    void aPromptCacheIsSavedThenRestoredWithTheSameResults() throws IOException {
        Path cache = tmp.resolve("prompt.kv");
        CliRun first = CliRun.inProcess(extract("Ann met Bob.", "Lily saw a cat.", "--types", "Person", "--prompt-cache", cache));
        assertAll(() -> assertEquals(0, first.code(), first::err), () -> assertTrue(Files.size(cache) > 0, "saved"));
        long saved = Files.getLastModifiedTime(cache).toMillis();
        CliRun second = CliRun.inProcess(extract("Ann met Bob.", "Lily saw a cat.", "--types", "Person", "--prompt-cache", cache));
        assertAll(() -> assertEquals(first.out(), second.out(), "the same results from the restored prefix"),
                () -> assertEquals(saved, Files.getLastModifiedTime(cache).toMillis(), "an unchanged prefix is not written again"));

        Path one = tmp.resolve("one.kv"); // one sequence (--batch 1): its kept prefix is the last prompt and answer
        CliRun plain = CliRun.inProcess(extract("Ann met Bob.", "--types", "Person", "--batch", "1"));
        CliRun.inProcess(extract("Lily saw a cat.", "--types", "Person", "--batch", "1", "--prompt-cache", one));
        CliRun restored = CliRun.inProcess(extract("Ann met Bob.", "--types", "Person", "--batch", "1", "--prompt-cache", one));
        assertAll(() -> assertEquals(0, restored.code(), restored::err), () -> assertEquals(plain.out(), restored.out()));

        Path notOne = Files.writeString(tmp.resolve("notes.kv"), "my notes");
        CliRun.inProcess(extract("Ann.", "--types", "Person", "--prompt-cache", notOne)).assertBadInput(notOne + " is not a KnowCoder prompt cache");
    }

    @Test
    void prettyPrintsATable() {
        CliRun run = CliRun.inProcess(extract("Ann met Bob.", "--types", "Person", "--pretty"));
        assertAll(() -> assertEquals(0, run.code(), run::err), () -> assertTrue(run.out().startsWith("[1] Ann met Bob.\n"), run::out));
    }

    @Test
    void badInputGetsOneLine() throws IOException {
        Path lib = Files.writeString(tmp.resolve("lib.json"), "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": ["
                + "{\"kind\": \"entity\", \"name\": \"Person\"}, {\"kind\": \"entity\", \"name\": \"Organization\"}]}\n");
        Path malformed = Files.writeString(tmp.resolve("types.json"), "[{\"name\": \"Person\"");
        CliRun.inProcess(extract("Ann.", "--schema", lib, "--types", "Persn")).assertBadInput("unknown type Persn in " + lib, "did you mean Person?");
        CliRun.inProcess(extract("Ann.", "--types", ",")).assertBadInput("--types names no type");
        CliRun.inProcess(extract("Ann.")).assertBadInput("extract needs types");
        CliRun.inProcess(extract("Ann.", "--types-file", malformed)).assertBadInput(malformed + ": not JSON");
        CliRun.inProcess(extract("--input", tmp.resolve("missing.txt"), "--types", "Person")).assertBadInput("missing.txt");
        CliRun.inProcess(extract("Ann.", "--types", "Person", "--task", "re")).assertBadInput("--task re needs a relation type");
        CliRun.inProcess("extract", "--types", "Person").assertBadInput("extract needs text");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}

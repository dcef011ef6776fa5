package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void tableHasARowPerSplit() {
        CliRun run = CliRun.inProcess("datasets", Fixtures.datasets());
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(44, lines.size()); // header + 43 splits
        assertTrue(lines.contains(String.format("%-20s %-6s %9d %9d %9d %7d %9d %6d %6d %6d %8d", "conll04", "test", 288, 1079, 422, 0, 0, 4, 5, 0, 0)), run.out());
        assertTrue(run.err().contains("casie test: 337 annotations unplaced, 220 offsets repaired"), run.err());
    }

    @Test
    void jsonAndAtomicExport() throws IOException {
        Path out = tmp.resolve("out");
        CliRun run = CliRun.inProcess("datasets", Fixtures.datasets(), "--dataset", "semeval", "--dataset", "kbp37", "--json", "--write", out);
        assertEquals(0, run.code(), run.err());
        JsonNode stats = new ObjectMapper().readTree(run.out());
        assertEquals(5, stats.size()); // semeval: train, test; kbp37: train, dev, test
        assertEquals("kbp37", stats.get(4).get("dataset").asText()); // in the order asked for
        assertEquals("test", stats.get(4).get("split").asText());
        assertEquals(2967, stats.get(4).get("relations").asInt());
        assertEquals(19, stats.get(4).get("unplaced").asInt());
        assertEquals(2717, Files.readAllLines(out.resolve("semeval/test.jsonl")).size());
        try (var files = Files.list(out.resolve("semeval"))) {
            assertEquals(List.of(out.resolve("semeval/test.jsonl"), out.resolve("semeval/train.jsonl")), files.sorted().toList()); // no temporary file left
        }
    }

    @Test
    void malformedFilesAndUnknownDatasets() throws IOException {
        Path dir = tmp.resolve("datasets");
        Files.createDirectories(dir.resolve("conll2003"));
        Path bad = Files.writeString(dir.resolve("conll2003/train.txt"), "EU\tB-organisation\nrejects\n");
        CliRun.inProcess("datasets", dir, "--dataset", "conll2003").assertBadInput(bad + ":2:", "expected a token and a tag");
        CliRun.inProcess("datasets", dir, "--dataset", "nope").assertBadInput("unknown dataset nope");
        CliRun.inProcess("datasets", tmp.resolve("absent")).assertBadInput(tmp.resolve("absent"), "no such directory");
    }
}

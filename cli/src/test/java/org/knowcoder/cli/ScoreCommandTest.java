package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScoreCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The printed object holds, per task, exactly the expected_score of the cases file. */
    @Test
    void printsTheExpectedScoresOfTheSharedCases() throws IOException {
        Path cases = Fixtures.file("ie/scorer-cases.json");
        CliRun run = CliRun.inProcess("score", "--cases", cases);
        assertEquals(0, run.code(), run.err());
        JsonNode printed = JSON.readTree(run.out());
        JsonNode tasks = JSON.readTree(cases.toFile()).path("tasks");
        assertEquals(4, printed.size());
        tasks.properties().forEach(t -> assertEquals(t.getValue().path("expected_score"), printed.path(t.getKey()), t.getKey()));
        assertEquals(1, run.out().lines().count());
    }

    @Test
    void badCasesFilesGetOneLine() throws IOException {
        Path missing = tmp.resolve("nope.json");
        CliRun.inProcess("score", "--cases", missing).assertBadInput(missing);
        Path broken = Files.writeString(tmp.resolve("broken.json"), "{\n  \"tasks\": {\n    \"NER\": [\n");
        CliRun.inProcess("score", "--cases", broken).assertBadInput(broken + ":4");
        Path noLabels = Files.writeString(tmp.resolve("nolabels.json"), "{\"tasks\": {\"NER\": {\"cases\": []}}}");
        CliRun.inProcess("score", "--cases", noLabels).assertBadInput(noLabels, "no schema.labels for task NER");
        Path badTask = Files.writeString(tmp.resolve("badtask.json"), "{\"schema\": {\"labels\": {\"XX\": {}}}, \"tasks\": {}}");
        CliRun.inProcess("score", "--cases", badTask).assertBadInput(badTask, "unknown task 'XX'");
    }
}

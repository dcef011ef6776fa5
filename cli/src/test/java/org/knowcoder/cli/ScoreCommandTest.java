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

    /**
     * extract's output against gold as eval maps classes: an unknown class is dropped, a wrong type
     * is a false positive, a relation between class names scores as its label.
     */
    @Test
    void scoresExtractOutputAgainstGoldByTheDatasetsLabels() throws IOException {
        Path gold = Files.writeString(tmp.resolve("gold.jsonl"), """
                {"id":"a","text":"Ann lives in Paris.","entities":[{"type":"Peop","start":0,"end":3},{"type":"Loc","start":13,"end":18}],"relations":[{"type":"Live_In","head":{"start":0,"end":3},"tail":{"start":13,"end":18}}]}
                {"id":"b","text":"Bob met Carl.","entities":[{"type":"Peop","start":0,"end":3},{"type":"Peop","start":8,"end":12}]}
                """);
        Path predicted = Files.writeString(tmp.resolve("predicted.jsonl"), """
                {"id":"1","text":"Ann lives in Paris.","entities":[{"type":"Human","text":"Ann","start":0,"end":3},{"type":"GeographicLocation","text":"Paris","start":13,"end":18},{"type":"Animal","text":"Ann","start":0,"end":3}],"relations":[{"type":"Residence","head":{"type":"Human","start":0,"end":3},"tail":{"type":"GeographicLocation","start":13,"end":18}}]}
                {"id":"2","text":"Bob met Carl.","entities":[{"type":"Human","text":"Bob","start":0,"end":3},{"type":"Organization","text":"Carl","start":8,"end":12}]}
                """);
        CliRun run = CliRun.inProcess("score", "--predictions", predicted, "--dataset", "conll04", "--gold", gold);
        assertEquals(0, run.code(), run.err());
        JsonNode scores = JSON.readTree(run.out());
        assertEquals(4, scores.path("NER").path("micro").path("pred").asInt());
        assertEquals(3, scores.path("NER").path("micro").path("tp").asInt());
        assertEquals(1.0, scores.path("RE").path("micro").path("f1").asDouble());

        // paired by position when the ids are not gold ids: then the texts must agree
        Path shifted = Files.writeString(tmp.resolve("shifted.jsonl"), Files.readAllLines(predicted).reversed().stream().reduce("", (a, b) -> a + b + "\n"));
        CliRun.inProcess("score", "--predictions", shifted, "--dataset", "conll04", "--gold", gold).assertBadInput("prediction 1 is not about gold sentence 1");
        CliRun.inProcess("score", "--predictions", predicted, "--gold", gold).assertBadInput("--predictions needs --dataset");
        CliRun.inProcess("score", "--predictions", predicted, "--cases", gold).assertBadInput("give either --cases or --predictions");
        Path torn = Files.writeString(tmp.resolve("torn.jsonl"), "{\"id\":\"1\",\"text\":\"Ann\",\"entities\":[{\"type\":\"Human\",\"start\":0,\"end\":9}]}\n");
        CliRun.inProcess("score", "--predictions", torn, "--dataset", "conll04", "--gold", gold).assertBadInput(torn + ":1");
    }
}

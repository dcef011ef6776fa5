package org.knowcoder.ie.eval;

import org.junit.jupiter.api.Test;
import org.knowcoder.schema.Task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every case of ../shared/fixtures/ie/scorer-cases.json: the surviving predictions and the micro scores, exactly. */
class ScorerCasesTest {

    private static Path file() {
        return SharedFiles.path("fixtures/ie/scorer-cases.json");
    }

    @Test
    void everyCaseKeepsExactlyTheExpectedPredictions() throws IOException {
        ScorerCases cases = ScorerCases.read(file());
        int n = 0;
        for (Map.Entry<Task, List<ScorerCases.Case>> t : cases.cases().entrySet()) {
            for (ScorerCases.Case c : t.getValue()) {
                assertEquals(c.expected(), cases.predictions(t.getKey(), c), () -> t.getKey() + ": " + c.output());
                n++;
            }
        }
        assertEquals(17, n);
    }

    @Test
    void scoresMatchToTheLastDigit() throws IOException {
        Map<Task, Counts> scores = ScorerCases.read(file()).score();
        JsonNode expected = new ObjectMapper().readTree(file().toFile()).path("tasks");
        assertEquals(List.of(Task.NER, Task.RE, Task.ED, Task.EAE), List.copyOf(scores.keySet()));
        scores.forEach((task, c) -> {
            JsonNode e = expected.path(task.name()).path("expected_score");
            assertEquals(List.of(e.get("pred").asLong(), e.get("gold").asLong(), e.get("tp").asLong()), List.of(c.pred(), c.gold(), c.tp()), task.name());
            assertEquals(e.get("precision").asDouble(), c.precision(), 0.0, task + " precision");
            assertEquals(e.get("recall").asDouble(), c.recall(), 0.0, task + " recall");
            assertEquals(e.get("f1").asDouble(), c.f1(), 0.0, task + " f1");
        });
    }
}

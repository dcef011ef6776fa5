package org.knowcoder.ie.extract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A killed run's torn last line is dropped on reopening; complete lines survive and read back. */
class PredictionsFileTest {
    @Test
    void tornLastLineIsCutOff(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.jsonl");
        try (PredictionsFile out = PredictionsFile.append(file)) {
            out.write(new Prediction("conll2003", Task.NER, "a", "results = [\n\tHuman(\"Ann\")\n]"));
            out.write(new Prediction("conll04", Task.RE, "b", ""));
        }
        Files.writeString(file, "{\"dataset\":\"conll2003\",\"task\":\"NER\",\"id\":\"c\",\"out", StandardOpenOption.APPEND);
        try (PredictionsFile out = PredictionsFile.append(file)) {
            out.write(new Prediction("conll2003", Task.NER, "c", "x"));
        }
        List<Prediction> read = PredictionsFile.read(file);
        assertEquals(List.of("a", "b", "c"), read.stream().map(Prediction::id).toList());
        assertEquals("results = [\n\tHuman(\"Ann\")\n]", read.getFirst().output());
    }

    @Test
    void aMalformedLineNamesItself(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("p.jsonl"), "{\"dataset\":\"x\"}\n");
        BadInputException e = assertThrows(BadInputException.class, () -> PredictionsFile.read(file));
        assertEquals(file + " line 1: not a prediction {\"dataset\",\"task\",\"id\",\"output\"}", e.getMessage());
    }
}

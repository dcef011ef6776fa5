package org.knowcoder.ie.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AppendedLines;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Predictions as JSON lines ({@code {"dataset","task","id","output"}}), appended and flushed one
 * sentence at a time so that a killed run loses at most the line it was writing. Opening a file
 * cuts such a torn last line off; {@link #read} then gives what the next run can skip.
 */
public final class PredictionsFile implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AppendedLines out;

    private PredictionsFile(AppendedLines out) {
        this.out = out;
    }

    /** Opens {@code file} for appending (creating it), after cutting off a torn last line. */
    public static PredictionsFile append(Path file) throws IOException {
        return new PredictionsFile(AppendedLines.open(file));
    }

    public void write(Prediction p) throws IOException {
        ObjectNode line = JSON.createObjectNode().put("dataset", p.dataset()).put("task", p.task().name()).put("id", p.id()).put("output", p.output());
        out.write(JSON.writeValueAsString(line));
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Every complete line of {@code file} (none when it does not exist); a malformed line is an error naming it. */
    public static List<Prediction> read(Path file) throws IOException {
        List<Prediction> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                JsonNode n = JSON.readTree(lines.get(i));
                out.add(new Prediction(n.get("dataset").asText(), Task.parse(n.get("task").asText()), n.get("id").asText(), n.get("output").asText()));
            } catch (IOException | RuntimeException e) {
                throw new BadInputException(file + " line " + (i + 1) + ": not a prediction {\"dataset\",\"task\",\"id\",\"output\"}");
            }
        }
        return out;
    }
}

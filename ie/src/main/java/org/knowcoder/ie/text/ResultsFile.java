package org.knowcoder.ie.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A results file a resumed run appends to: the ids it already holds are the inputs to skip. */
public final class ResultsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultsFile() {}

    /** The ids of the file's whole lines (none when it does not exist); a line that is no result is an error naming it. */
    public static Set<String> ids(Path file) throws IOException {
        Set<String> ids = new HashSet<>();
        if (!Files.exists(file)) return ids;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        // the last line may be torn (a killed run): appending cuts it, and its input runs again
        boolean torn = !Files.readString(file, StandardCharsets.UTF_8).endsWith("\n");
        for (int i = 0; i < lines.size() - (torn ? 1 : 0); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                n = null;
            }
            if (n == null || !n.hasNonNull("id")) throw new BadInputException(file + ":" + (i + 1) + ": not a result line {\"id\": ..., \"text\": ...}");
            ids.add(n.get("id").asText());
        }
        return ids;
    }
}

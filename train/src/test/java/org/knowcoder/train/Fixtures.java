package org.knowcoder.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Locates the reference fixtures in ../shared (from the repository root); tests skip when they are absent. */
final class Fixtures {
    private Fixtures() {}

    static Path dir(String relative) {
        Path root = Path.of(System.getProperty("knowcoder.root", "."));
        Path p = root.resolve("../shared/fixtures").resolve(relative).normalize();
        assumeTrue(Files.exists(p), "fixtures not found at " + p);
        return p;
    }

    static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    static int[][] ints(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new int[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = rows.get(i).get(j).asInt();
        }
        return out;
    }
}

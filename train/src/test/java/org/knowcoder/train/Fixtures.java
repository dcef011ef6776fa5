package org.knowcoder.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Path;

/** The reference fixtures in ../shared, found through {@link SharedFiles}, and their JSON; tests skip when they are absent. */
final class Fixtures {
    private Fixtures() {}

    static Path dir(String relative) {
        return SharedFiles.fixture(relative);
    }

    static JsonNode json(Path file) throws IOException {
        return SharedFiles.json(file);
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

package org.knowcoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Locates the reference fixtures in ../shared (from the repository root); tests skip when they are absent. */
final class SharedFixtures {
    private SharedFixtures() {}

    static Path dir(String relative) {
        Path root = Path.of(System.getProperty("knowcoder.root", "."));
        Path p = root.resolve("../shared/fixtures").resolve(relative).normalize();
        assumeTrue(Files.exists(p), "fixtures not found at " + p);
        return p;
    }

    static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }
}

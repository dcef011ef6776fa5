package org.knowcoder.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The tokenizer fixtures in ../shared/fixtures/tokenizer (from the repository root); tests skip when they are absent. */
public final class TokenizerFixtures {
    private TokenizerFixtures() {}

    public static Path file(String name) {
        Path root = Path.of(System.getProperty("knowcoder.root", "."));
        Path p = root.resolve("../shared/fixtures/tokenizer").resolve(name).normalize();
        assumeTrue(Files.exists(p), "fixtures not found at " + p);
        return p;
    }

    public static JsonNode json(String name) throws IOException {
        return new ObjectMapper().readTree(file(name).toFile());
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}

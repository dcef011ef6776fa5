package org.knowcoder.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Path;

/** The tokenizer fixtures in ../shared/fixtures/tokenizer, found through {@link SharedFiles}; tests skip when they are absent. */
public final class TokenizerFixtures {
    private TokenizerFixtures() {}

    public static Path file(String name) {
        return SharedFiles.fixture("tokenizer/" + name);
    }

    public static JsonNode json(String name) throws IOException {
        return SharedFiles.json(file(name));
    }

    public static int[] ints(JsonNode array) {
        return SharedFiles.ints(array);
    }
}

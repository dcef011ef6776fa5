package org.knowcoder.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared material at {@code ../shared} beside the repository root (fixtures, datasets, KnowCoder's
 * reference files), for every module's tests: a test that needs a file skips when it is absent, so
 * the suite runs on a machine without it. The root comes from the {@code knowcoder.root} property
 * that surefire sets (the working directory when run outside Maven).
 */
public final class SharedFiles {
    private SharedFiles() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The repository root. */
    public static Path root() {
        return Path.of(System.getProperty("knowcoder.root", ".")).toAbsolutePath().normalize();
    }

    /** {@code ../shared/<relative>}, or a skipped test when it is not there. */
    public static Path path(String relative) {
        Path p = root().resolveSibling("shared").resolve(relative).normalize();
        assumeTrue(Files.exists(p), "shared material " + p + " is absent");
        return p;
    }

    /** {@code ../shared/fixtures/<relative>}, or a skipped test. */
    public static Path fixture(String relative) {
        return path("fixtures/" + relative);
    }

    /** {@code ../shared/datasets}, or a skipped test. */
    public static Path datasets() {
        return path("datasets");
    }

    public static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }
}

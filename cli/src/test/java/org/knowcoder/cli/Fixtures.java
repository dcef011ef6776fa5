package org.knowcoder.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shared fixtures at {@code ../shared} from the repository root; a test that needs one skips when it is absent. */
final class Fixtures {
    private Fixtures() {}

    /** The repository root, as surefire passes it (the working directory when run outside Maven). */
    static Path root() {
        return Path.of(System.getProperty("knowcoder.root", ".")).toAbsolutePath().normalize();
    }

    /** {@code ../shared/fixtures/<relative>}, or a skipped test when it is not there. */
    static Path file(String relative) {
        Path p = root().resolveSibling("shared").resolve("fixtures").resolve(relative);
        assumeTrue(Files.exists(p), "fixture " + p + " is absent");
        return p;
    }

    /** {@code ../shared/datasets}, or a skipped test when it is not there. */
    static Path datasets() {
        Path p = root().resolveSibling("shared").resolve("datasets");
        assumeTrue(Files.isDirectory(p), "datasets " + p + " are absent");
        return p;
    }

    static Path stories() {
        return file("stories260K/stories260K.bin");
    }

    static Path storiesTokenizer() {
        return file("stories260K/tok512.bin");
    }

    /** The Hugging Face directory of the tiny grouped-query model (config.json, model.safetensors). */
    static Path tinyHf() {
        return file("models/llama-tiny-gqa");
    }
}

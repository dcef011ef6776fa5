package org.knowcoder.cli;

import org.knowcoder.testing.SharedFiles;

import java.nio.file.Path;

/** Named fixtures the CLI tests run on, found through {@link SharedFiles} (skipped when ../shared is absent). */
final class Fixtures {
    private Fixtures() {}

    static Path root() {
        return SharedFiles.root();
    }

    static Path file(String relative) {
        return SharedFiles.fixture(relative);
    }

    static Path datasets() {
        return SharedFiles.datasets();
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

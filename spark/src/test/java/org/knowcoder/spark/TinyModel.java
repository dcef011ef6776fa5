package org.knowcoder.spark;

import org.knowcoder.api.Options;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.Llama2cWriter;
import org.knowcoder.testing.Llama2cTokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A random model in stories260K's shape with its tokenizer beside it, written once per test JVM so
 * the Spark tests need no {@code ../shared}: its extractions are nonsense, but constrained decoding
 * keeps them well-formed spans of the text, so there is something to compare row for row.
 */
final class TinyModel {
    private static final LlamaConfig STORIES = new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5f, 10000f);
    static final Path FILE = write();

    private TinyModel() {}

    /** One thread (the machine's other core runs the other task), eight prompts a batch, short answers. */
    static Options options(int maxNewTokens) {
        return Options.defaults().withThreads(1).withBatch(8).withMaxNewTokens(maxNewTokens);
    }

    private static Path write() {
        try {
            Path dir = Files.createTempDirectory("knowcoder-spark");
            try (LlamaWeights w = RandomWeights.create(STORIES, true, 13)) {
                Llama2cWriter.writeVersion0(w, dir.resolve("stories.bin"));
            }
            Files.write(dir.resolve("tokenizer.bin"), Llama2cTokenizers.stories());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                dir.resolve("stories.bin").toFile().delete();
                dir.resolve("tokenizer.bin").toFile().delete();
                dir.toFile().delete();
            }));
            return dir.resolve("stories.bin");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

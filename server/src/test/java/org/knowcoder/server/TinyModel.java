package org.knowcoder.server;

import org.knowcoder.api.KnowCoder;
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
 * A random model in stories260K's shape with its tokenizer beside it, written here so the server's
 * tests need no {@code ../shared}: its extractions are nonsense, the serving is what is tested.
 */
final class TinyModel {
    private static final LlamaConfig STORIES = new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5f, 10000f);
    private static final Path DIR = write();

    private TinyModel() {}

    /** The model loaded on one thread, four prompts a batch, two new tokens a prompt. */
    static KnowCoder load() throws IOException {
        return KnowCoder.load(DIR.resolve("stories.bin"), Options.defaults().withThreads(1).withBatch(4).withMaxNewTokens(2));
    }

    private static Path write() {
        try {
            Path dir = Files.createTempDirectory("knowcoder-serve");
            try (LlamaWeights w = RandomWeights.create(STORIES, true, 13)) {
                Llama2cWriter.writeVersion0(w, dir.resolve("stories.bin"));
            }
            Files.write(dir.resolve("tokenizer.bin"), Llama2cTokenizers.stories());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                dir.resolve("stories.bin").toFile().delete();
                dir.resolve("tokenizer.bin").toFile().delete();
                dir.toFile().delete();
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

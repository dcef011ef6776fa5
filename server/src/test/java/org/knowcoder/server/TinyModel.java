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
    /** Three times as wide and a layer deeper, on the same vocabulary: about a millisecond a token, so a test can act while an answer is decoding. */
    private static final LlamaConfig WIDER = new LlamaConfig(192, 512, 6, 6, 6, 512, 512, 1e-5f, 10000f);
    private static final Path DIR = directory();
    private static final Path STORIES_FILE = write(STORIES, "stories.bin");

    private TinyModel() {}

    /** The model loaded on one thread, four prompts a batch, two new tokens a prompt. */
    static KnowCoder load() throws IOException {
        return load(STORIES_FILE);
    }

    /** As {@link #load()}, a model slow enough that a cancel lands mid-answer. */
    static KnowCoder loadWider() throws IOException {
        return load(Wider.FILE);
    }

    private static KnowCoder load(Path file) throws IOException {
        return KnowCoder.load(file, Options.defaults().withTokenizer(DIR.resolve("tokenizer.bin")).withThreads(1).withBatch(4).withMaxNewTokens(2));
    }

    /** Written on first use only: the wider model has 2.8 M parameters. */
    private static final class Wider {
        static final Path FILE = write(WIDER, "wider.bin");
    }

    /** A temporary directory with the tokenizer, deleted with what it holds when the JVM exits. */
    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("knowcoder-serve");
            Files.write(dir.resolve("tokenizer.bin"), Llama2cTokenizers.stories());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                java.io.File[] files = dir.toFile().listFiles();
                if (files != null) for (java.io.File f : files) f.delete();
                dir.toFile().delete();
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(LlamaConfig config, String name) {
        Path file = DIR.resolve(name);
        try (LlamaWeights w = RandomWeights.create(config, true, 13)) {
            Llama2cWriter.writeVersion0(w, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

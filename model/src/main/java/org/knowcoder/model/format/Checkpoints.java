package org.knowcoder.model.format;

import org.knowcoder.model.LlamaWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a checkpoint by its path: a directory or {@code .safetensors} file is Hugging Face, a
 * {@code .gguf} file GGUF, anything else llama2.c.
 */
public final class Checkpoints {
    private Checkpoints() {}

    public static LlamaWeights load(Path path) throws IOException {
        if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such model file or directory");
        if (Files.isDirectory(path) || path.getFileName().toString().endsWith(".safetensors")) {
            return HuggingFaceCheckpoint.load(path);
        }
        if (path.getFileName().toString().endsWith(".gguf")) return GgufCheckpoint.load(path);
        return Llama2cCheckpoint.load(path);
    }
}

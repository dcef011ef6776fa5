package org.knowcoder.model.format;

import org.knowcoder.model.LlamaWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a checkpoint by its path: a {@code .gguf} file is GGUF; a directory, a {@code .safetensors}
 * file or a {@code torch.save} file is Hugging Face; anything else llama2.c.
 */
public final class Checkpoints {
    private Checkpoints() {}

    public static LlamaWeights load(Path path) throws IOException {
        if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such model file or directory");
        if (path.getFileName().toString().endsWith(".gguf") && !Files.isDirectory(path)) return GgufCheckpoint.load(path);
        if (Files.isDirectory(path) || path.getFileName().toString().endsWith(".safetensors")
                || PyTorchFile.looksLikeOne(path)) {
            return HuggingFaceCheckpoint.load(path);
        }
        return Llama2cCheckpoint.load(path);
    }
}

package org.knowcoder.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens a tokenizer by its file: llama2.c {@code tokenizer.bin} now; SentencePiece {@code .model} slots in here. */
public final class Tokenizers {
    private Tokenizers() {}

    public static Tokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such tokenizer file");
        if (file.getFileName().toString().endsWith(".model")) {
            throw new TokenizerFormatException(file, "SentencePiece .model files are not supported yet; use the llama2.c tokenizer.bin export");
        }
        return Llama2cTokenizer.load(file);
    }
}

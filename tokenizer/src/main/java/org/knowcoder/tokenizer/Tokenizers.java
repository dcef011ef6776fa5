package org.knowcoder.tokenizer;

import org.knowcoder.io.BadInputException;
import org.knowcoder.tokenizer.spm.SentencePieceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens a tokenizer by its file: a SentencePiece {@code .model}, or else llama2.c's {@code tokenizer.bin}. */
public final class Tokenizers {
    private Tokenizers() {}

    public static Tokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such tokenizer file");
        return file.getFileName().toString().endsWith(".model") ? SentencePieceTokenizer.load(file) : Llama2cTokenizer.load(file);
    }

    /** Throws, naming both files, unless the tokenizer's vocabulary is the model's ({@code vocabSize} pieces). */
    public static void requireFits(Tokenizer tok, Path tokenizer, int vocabSize, Path model) {
        if (tok.vocabSize() != vocabSize) {
            throw new BadInputException(tokenizer + ": the tokenizer has " + tok.vocabSize()
                    + " pieces but the vocabulary of " + model + " has " + vocabSize);
        }
    }
}

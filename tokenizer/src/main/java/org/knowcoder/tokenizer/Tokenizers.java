package org.knowcoder.tokenizer;

import org.knowcoder.io.BadInputException;
import org.knowcoder.tokenizer.spm.SentencePieceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Opens a tokenizer by its file: a SentencePiece {@code .model}, or else llama2.c's {@code tokenizer.bin}. */
public final class Tokenizers {
    private Tokenizers() {}

    public static Tokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such tokenizer file");
        return file.getFileName().toString().endsWith(".model") ? SentencePieceTokenizer.load(file) : Llama2cTokenizer.load(file);
    }

    /**
     * The tokenizer that ships with a model: {@code tokenizer.model} or {@code tokenizer.bin} in a
     * model directory (that order: Hugging Face's first), or {@code tokenizer.bin} or {@code tokenizer.model}
     * beside a model file (llama2.c's first); empty when there is none.
     */
    public static Optional<Path> besideModel(Path model) {
        boolean dir = Files.isDirectory(model);
        Path home = dir ? model : model.toAbsolutePath().getParent();
        for (String name : dir ? new String[] {"tokenizer.model", "tokenizer.bin"} : new String[] {"tokenizer.bin", "tokenizer.model"}) {
            if (home != null && Files.isRegularFile(home.resolve(name))) return Optional.of(home.resolve(name));
        }
        return Optional.empty();
    }

    /** Throws, naming both files, unless the tokenizer's vocabulary is the model's ({@code vocabSize} pieces). */
    public static void requireFits(Tokenizer tok, Path tokenizer, int vocabSize, Path model) {
        if (tok.vocabSize() != vocabSize) {
            throw new BadInputException(tokenizer + ": the tokenizer has " + tok.vocabSize()
                    + " pieces but the vocabulary of " + model + " has " + vocabSize);
        }
    }
}

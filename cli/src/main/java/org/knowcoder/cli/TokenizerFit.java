package org.knowcoder.cli;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.tokenizer.Tokenizer;

import java.nio.file.Path;

/** The check that a tokenizer belongs to a model, before any text is turned into ids for it. */
final class TokenizerFit {
    private TokenizerFit() {}

    /** Throws, naming both files, unless the tokenizer's vocabulary is the model's. */
    static void check(Tokenizer tok, Path tokenizer, LlamaConfig model, Path modelPath) {
        if (tok.vocabSize() != model.vocabSize()) {
            throw new IllegalArgumentException(tokenizer + ": the tokenizer has " + tok.vocabSize()
                    + " pieces but the vocabulary of " + modelPath + " has " + model.vocabSize());
        }
    }
}

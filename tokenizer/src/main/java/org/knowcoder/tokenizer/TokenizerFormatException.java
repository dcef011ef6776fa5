package org.knowcoder.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** A tokenizer file that cannot be read; the message names the file and what was expected. */
public final class TokenizerFormatException extends IOException {
    public TokenizerFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}

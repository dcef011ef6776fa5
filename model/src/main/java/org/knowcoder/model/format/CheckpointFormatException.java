package org.knowcoder.model.format;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be read as what it claims to be; the message names the file and what was expected. */
public final class CheckpointFormatException extends IOException {
    public CheckpointFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}

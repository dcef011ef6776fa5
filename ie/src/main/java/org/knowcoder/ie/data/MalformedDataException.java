package org.knowcoder.ie.data;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file that does not have the format its reader expects; the message starts with "file:line: ". */
public final class MalformedDataException extends IOException {
    public MalformedDataException(Path file, long line, String reason) {
        super(file + ":" + line + ": " + reason);
    }
}

package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

/** Python text that is not a class definition in one of KnowCoder's styles; the message names the source and line. */
public final class SchemaSyntaxException extends BadInputException {
    public SchemaSyntaxException(String source, int line, String reason, String text) {
        super(source + ":" + line + ": " + reason + ": " + text.strip());
    }
}

package org.knowcoder.io;

/**
 * A user's input is wrong: an option out of range, a file that does not hold what it should, a prompt
 * that does not fit. Thrown at the boundaries (options, readers, prompt checks) with a message that
 * names the option, file or tensor and what was expected; the CLI reports it in one line with exit
 * code 2. A plain {@link IllegalArgumentException} is a broken precondition inside the engine, our
 * bug, and exits 1.
 *
 * <p>It extends {@code IllegalArgumentException} so that callers of the library that catch bad
 * arguments the usual Java way keep working.
 */
public class BadInputException extends IllegalArgumentException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.knowcoder.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Input files opened so that a failure names the file and what it should hold: the JDK reports a
 * directory only at the first read, as a bare "Is a directory", and bytes that are not UTF-8 as
 * "Input length = 1", neither with the path.
 */
public final class InputFiles {
    private InputFiles() {}

    /** Opens {@code file} to read; {@code expected} says what it should be ("a JSON lines file"). */
    public static InputStream open(Path file, String expected) throws IOException {
        requireNotDirectory(file, expected);
        return Files.newInputStream(file);
    }

    /** The text of a UTF-8 file; {@code expected} says what it should be. */
    public static String readUtf8(Path file, String expected) throws IOException {
        requireNotDirectory(file, expected);
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw notUtf8(file, expected, e);
        }
    }

    /** A UTF-8 reader of {@code file}, for reading line by line; {@code expected} says what it should be. */
    public static BufferedReader reader(Path file, String expected) throws IOException {
        requireNotDirectory(file, expected);
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder())) {
            @Override
            public String readLine() throws IOException {
                try {
                    return super.readLine();
                } catch (CharacterCodingException e) {
                    throw notUtf8(file, expected, e);
                }
            }
        };
    }

    private static IOException notUtf8(Path file, String expected, CharacterCodingException e) {
        return new IOException(file + ": is not UTF-8 text; expected " + expected, e);
    }

    private static void requireNotDirectory(Path file, String expected) throws FileSystemException {
        if (Files.isDirectory(file)) throw new FileSystemException(file.toString(), null, "is a directory; expected " + expected);
    }
}

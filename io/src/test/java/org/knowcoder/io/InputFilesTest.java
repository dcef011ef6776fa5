package org.knowcoder.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Failures to read an input name the file and what it should have been. */
class InputFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectory() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        for (Executable read : List.<Executable>of(
                () -> InputFiles.open(dir, "JSON lines").close(),
                () -> InputFiles.readUtf8(dir, "JSON lines"),
                () -> InputFiles.reader(dir, "JSON lines").close())) {
            assertEquals(dir + ": is a directory; expected JSON lines", assertThrows(FileSystemException.class, read).getMessage());
        }
    }

    @Test
    void bytesThatAreNotUtf8() throws IOException {
        Path file = Files.write(tmp.resolve("data.jsonl"), new byte[] {'{', '}', '\n', '"', (byte) 0xC3, '"', '\n'});
        assertEquals(file + ": is not UTF-8 text; expected JSON lines",
                assertThrows(IOException.class, () -> InputFiles.readUtf8(file, "JSON lines")).getMessage());
        try (BufferedReader r = InputFiles.reader(file, "JSON lines")) {
            var e = assertThrows(IOException.class, () -> {
                while (r.readLine() != null) {
                    // the error comes at the line, or at the read ahead of it
                }
            });
            assertEquals(file + ": is not UTF-8 text; expected JSON lines", e.getMessage());
        }
    }
}

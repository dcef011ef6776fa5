package org.knowcoder.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON lines training data that cannot be read as text: the error names the file (JDK: a bare "Input length = 1"). */
class TrainingDataFileTest {
    @Test
    void notUtf8OrADirectory(@TempDir Path tmp) throws IOException {
        Path file = Files.write(tmp.resolve("data.jsonl"), new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        // the bytes fail before any line reaches the tokenizer
        var e = assertThrows(IOException.class, () -> JsonlExamples.read(file, null, 100));
        assertTrue(e.getMessage().startsWith(file + ": is not UTF-8 text; expected JSON lines"), e::getMessage);
        e = assertThrows(IOException.class, () -> JsonlExamples.read(tmp, null, 100));
        assertTrue(e.getMessage().startsWith(tmp + ": is a directory; expected JSON lines"), e::getMessage);
    }
}

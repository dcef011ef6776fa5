package org.knowcoder.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Output that cannot be written (stdout on a full disk) fails the run instead of exiting 0 with nothing written. */
class StdoutFailureTest {
    /** A stdout whose every write fails, as writes to /dev/full do. */
    private static final class FullDisk extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("No space left on device");
        }
    }

    /** Both ways commands reach stdout: System.out itself (the top-level usage) and picocli's writer over it (help). */
    @ParameterizedTest
    @ValueSource(strings = {"", "help"})
    void failedWritesToStdoutAreAnError(String args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(new FullDisk(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args.isEmpty() ? new String[0] : args.split(" "));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertAll(() -> assertEquals(2, code, stderr),
                () -> assertTrue(stderr.startsWith("knowcoder: could not write to standard output"), stderr));
    }
}

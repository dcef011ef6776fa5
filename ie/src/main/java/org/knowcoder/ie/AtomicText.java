package org.knowcoder.ie;

import org.knowcoder.io.AtomicOutput;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes a text file atomically (see {@link AtomicOutput}): a reader finds the old file or the whole new one. */
public final class AtomicText {
    private AtomicText() {}

    public static void writeLines(Path target, Iterable<String> lines) throws IOException {
        try (AtomicOutput file = new AtomicOutput(target)) {
            Writer w = new OutputStreamWriter(file, StandardCharsets.UTF_8);
            for (String line : lines) w.append(line).append('\n');
            w.flush();
            file.commit();
        }
    }
}

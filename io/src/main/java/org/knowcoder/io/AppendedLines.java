package org.knowcoder.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of lines that a long run appends to, one flushed line per result, so that a killed run
 * loses at most the line it was writing and the next run resumes after the last whole line:
 * opening it cuts such a torn last line off first.
 */
public final class AppendedLines implements AutoCloseable {
    private final BufferedWriter out;

    private AppendedLines(BufferedWriter out) {
        this.out = out;
    }

    /** Opens {@code file} for appending (creating it and its directory), after cutting off a torn last line. */
    public static AppendedLines open(Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        cutTornLine(file);
        return new AppendedLines(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    /** Appends {@code line} and a newline, and flushes. */
    public void write(String line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** A run killed mid-write leaves a last line without its newline: drop it, so the next run writes it again. */
    private static void cutTornLine(Path file) throws IOException {
        if (!Files.exists(file)) return;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') break;
                keep--;
            }
            if (keep < size) ch.truncate(keep);
        }
    }
}

package org.knowcoder.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes a whole file at once so that readers see either the old file or the complete new one,
 * never a torn write ({@link AtomicOutput} does the temporary file, the sync and the rename).
 */
public final class AtomicWrite {
    private AtomicWrite() {}

    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes {@code bytes} as the whole new content of {@code target}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    public static void write(Path target, Body body) throws IOException {
        try (AtomicOutput out = new AtomicOutput(target)) {
            try {
                body.write(out.channel());
            } catch (IOException e) {
                throw out.failed(e);
            }
            out.commit();
        }
    }
}

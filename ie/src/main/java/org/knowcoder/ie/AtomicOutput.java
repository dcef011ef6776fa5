package org.knowcoder.ie;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file written so that a reader finds the old file or the whole new one, never a part: bytes go
 * to a temporary file beside the target, which {@link #commit()} renames over it. Closing without
 * committing deletes the temporary file, so a failed run leaves no partial output.
 */
public final class AtomicOutput extends FilterOutputStream {
    private final Path target;
    private final Path tmp;
    private boolean committed;

    public AtomicOutput(Path target) throws IOException {
        super(null);
        this.target = target;
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        this.tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        this.out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len); // FilterOutputStream would write byte by byte
    }

    /** Closes the file and moves it over the target. */
    public void commit() throws IOException {
        out.close();
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (committed) return;
        try {
            out.close();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

package org.knowcoder.model;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A file written so that a reader finds the old file or the whole new one, never a part: bytes go
 * to a temporary file in the same directory (so the rename stays on one file system), which
 * {@link #commit()} forces to disk and renames over the target. Closing without committing deletes
 * the temporary file, so a failed run leaves no partial output. Streams (data builders, long runs)
 * and one-shot writes ({@link AtomicWrite}) both go through here.
 */
public final class AtomicOutput extends FilterOutputStream {
    /** Temporary files are created owner-only; the result should be as readable as any file (umask still applies). */
    private static final FileAttribute<Set<PosixFilePermission>> READABLE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private boolean committed;

    public AtomicOutput(Path target) throws IOException {
        super(null);
        this.target = target;
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        this.tmp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", READABLE)
                : Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len); // FilterOutputStream would write byte by byte
    }

    /** The temporary file's channel, for writers that work on channels; flush the stream before mixing the two. */
    public FileChannel channel() {
        return channel;
    }

    /** Forces the file to disk and moves it over the target. */
    public void commit() throws IOException {
        out.flush();
        channel.force(true);
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

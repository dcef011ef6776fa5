package org.knowcoder.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
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
 * the temporary file, so a failed run leaves no partial output. Every file the engine writes whole
 * goes through here: streams (data builders, long runs) and one-shot writes ({@link AtomicWrite}).
 *
 * <p>A symbolic link is written through: the file it leads to is replaced and the link kept, as
 * with {@code cp} or a shell's {@code >}. A target that exists but is not a regular file (a
 * directory, a FIFO, a device such as /dev/null) is refused: renaming over it would put a regular
 * file in its place, and writing into it could not be atomic.
 */
public final class AtomicOutput extends FilterOutputStream {
    /** Links followed before a chain counts as a loop (Linux's own limit). */
    private static final int MAX_LINKS = 40;
    /**
     * The mode of a file any program creates, before the umask takes its share (temporary files are
     * created owner-only, which the rename would keep).
     */
    private static final FileAttribute<Set<PosixFilePermission>> ORDINARY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-"));

    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private boolean committed;

    public AtomicOutput(Path target) throws IOException {
        super(null);
        this.target = linkTarget(target);
        if (Files.exists(this.target) && !Files.isRegularFile(this.target)) {
            throw new FileSystemException(target.toString(), null, Files.isDirectory(this.target)
                    ? "is a directory; expected a file to write" : "is not a regular file (a device or a pipe); expected a file to write");
        }
        Path dir = this.target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String prefix = "." + this.target.getFileName() + ".";
        this.tmp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, prefix, ".tmp", ORDINARY)
                : Files.createTempFile(dir, prefix, ".tmp");
        this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    }

    /** The file {@code path} leads to through any symbolic links; it need not exist. */
    private static Path linkTarget(Path path) throws IOException {
        Path p = path;
        for (int links = 0; Files.isSymbolicLink(p); links++) {
            if (links == MAX_LINKS) throw new FileSystemException(path.toString(), null, "too many levels of symbolic links");
            Path next = Files.readSymbolicLink(p);
            p = p.toAbsolutePath().resolveSibling(next);
        }
        return p;
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len); // FilterOutputStream would write byte by byte
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** An error of a write ("No space left on device") does not say which file; this one does. */
    IOException failed(IOException e) {
        if (e instanceof FileSystemException) return e;
        FileSystemException named = new FileSystemException(target.toString(), null, e.getMessage());
        named.initCause(e);
        return named;
    }

    /** The temporary file's channel, for writers that work on channels; flush the stream before mixing the two. */
    public FileChannel channel() {
        return channel;
    }

    /** Forces the file to disk and moves it over the target. */
    public void commit() throws IOException {
        try {
            out.flush();
            channel.force(true);
            out.close();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failed(e);
        }
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

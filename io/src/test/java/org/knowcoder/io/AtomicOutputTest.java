package org.knowcoder.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Where and how the atomic writer puts a file: through links, never over a device or a pipe, with an ordinary mode. */
class AtomicOutputTest {
    @TempDir
    Path tmp;

    private static void write(Path target, String text) throws IOException {
        AtomicWrite.write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSymlinkIsWrittenThroughAndKept() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data")), out = Files.createDirectory(tmp.resolve("out"));
        Path file = Files.writeString(data.resolve("model.json"), "old");
        Path link = Files.createSymbolicLink(out.resolve("model.json"), Path.of("../data/model.json"));
        write(link, "new");
        assertAll(() -> assertTrue(Files.isSymbolicLink(link), "the link is kept"),
                () -> assertEquals("new", Files.readString(file)),
                () -> assertEquals(List.of("model.json"), names(data), "no temporary file left beside the target"),
                () -> assertEquals(List.of("model.json"), names(out)));
    }

    @Test
    void aChainOfLinksAndADanglingLinkLeadToTheirFile() throws IOException {
        Path file = tmp.resolve("file.txt");
        Path first = Files.createSymbolicLink(tmp.resolve("first"), tmp.resolve("second"));
        Files.createSymbolicLink(tmp.resolve("second"), Path.of("file.txt"));
        write(first, "created");
        assertAll(() -> assertEquals("created", Files.readString(file)), () -> assertTrue(Files.isSymbolicLink(first)));
    }

    @Test
    void aLinkLoopIsAnError() throws IOException {
        Path a = Files.createSymbolicLink(tmp.resolve("a"), tmp.resolve("b"));
        Files.createSymbolicLink(tmp.resolve("b"), tmp.resolve("a"));
        var e = assertThrows(FileSystemException.class, () -> write(a, "x"));
        assertEquals(a + ": too many levels of symbolic links", e.getMessage());
    }

    @Test
    void aFifoIsRefusedAndLeftInPlace() throws Exception {
        Path fifo = tmp.resolve("pipe");
        int made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        } catch (IOException e) {
            made = -1;
        }
        assumeTrue(made == 0, "mkfifo is not available");
        var e = assertThrows(FileSystemException.class, () -> write(fifo, "x"));
        assertAll(() -> assertTrue(e.getMessage().contains("is not a regular file"), e::getMessage),
                () -> assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still there"),
                () -> assertEquals(List.of("pipe"), names(tmp)));
    }

    @Test
    void aDirectoryIsRefusedAndLeftInPlace() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("out"));
        var e = assertThrows(FileSystemException.class, () -> write(dir, "x"));
        assertAll(() -> assertTrue(e.getMessage().contains("is a directory"), e::getMessage), () -> assertTrue(Files.isDirectory(dir)));
    }

    @Test
    void aFailedWriteNamesTheFileAndLeavesNothing() throws IOException {
        Path target = tmp.resolve("out.bin");
        var e = assertThrows(FileSystemException.class, () -> AtomicWrite.write(target, ch -> {
            throw new IOException("No space left on device");
        }));
        assertAll(() -> assertEquals(target + ": No space left on device", e.getMessage()), () -> assertEquals(List.of(), names(tmp)));
    }

    /** The mode a newly created file gets here (0666 less the umask), which written files should get too. */
    @Test
    void theFileGetsTheModeOfAnyNewFile() throws IOException {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Set<PosixFilePermission> ordinary = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("plain")));
        Path written = tmp.resolve("written");
        write(written, "x");
        assertEquals(ordinary, Files.getPosixFilePermissions(written));
    }
}

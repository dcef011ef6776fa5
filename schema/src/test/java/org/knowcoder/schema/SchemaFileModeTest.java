package org.knowcoder.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Library files are written like every other output: readable as any new file, through a symbolic link. */
class SchemaFileModeTest {
    @Test
    void libraryFilesGetTheModeOfAnyNewFileAndKeepALink(@TempDir Path tmp) throws IOException {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Set<PosixFilePermission> ordinary = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("plain")));
        SchemaLibrary library = SchemaLibrary.of(RandomSchemas.library(1, 10));
        Path file = tmp.resolve("library.json");
        SchemaJson.write(library, file);
        Path link = Files.createSymbolicLink(tmp.resolve("link.json"), file.getFileName());
        SchemaJson.write(library, link);
        assertAll(() -> assertEquals(ordinary, Files.getPosixFilePermissions(file)),
                () -> assertTrue(Files.isSymbolicLink(link)),
                () -> assertEquals(library.concepts().size(), SchemaJson.read(link).concepts().size()));
    }
}

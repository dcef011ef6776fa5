package org.knowcoder.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Directories of files (a model directory, a partial copy of one). */
public final class Directories {
    private Directories() {}

    /** Deletes {@code dir} and the files in it (it has no subdirectories); nothing when it does not exist. */
    public static void deleteFlat(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(dir);
    }
}

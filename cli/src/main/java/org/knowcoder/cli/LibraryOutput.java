package org.knowcoder.cli;

import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** The options of commands that write a schema library: where, and whether as one file per kind. */
final class LibraryOutput {
    @Option(names = "--out", required = true, paramLabel = "PATH", description = "library to write")
    Path out;

    @Option(names = "--split", description = "write a directory with one file per kind")
    boolean split;

    /** Writes a validated library (files appear whole: temporary file, then move). */
    void write(SchemaLibrary library) throws IOException {
        if (split) SchemaJson.writeSplit(library, out);
        else SchemaJson.write(library, out);
    }
}

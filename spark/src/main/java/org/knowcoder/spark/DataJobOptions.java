package org.knowcoder.spark;

import picocli.CommandLine.Option;

/** The options the two data jobs share with each other (and, but for the input, with {@code build-data}). */
final class DataJobOptions {
    @Option(names = "--input-format", defaultValue = "json", description = "json (JSON lines) or parquet (a row per record, its columns "
            + "the record's fields); default ${DEFAULT-VALUE}")
    String inputFormat;
    @Option(names = "--library", required = true, paramLabel = "PATH", description = "schema library, at this path on the driver and every executor")
    String library;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (part files)")
    String out;
    @Option(names = "--output-format", defaultValue = "json", description = "json (build-data's JSON lines) or parquet; default ${DEFAULT-VALUE}")
    String outputFormat;
    @Option(names = "--overwrite", description = "replace an existing output directory")
    boolean overwrite;
    @Option(names = "--seed", defaultValue = "42", description = "seed of every random choice (default ${DEFAULT-VALUE})")
    long seed;
}

package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.SchemaStats;
import org.knowcoder.schema.WikidataBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "build", description = "Build a library from Wikidata-style JSON lines (items; relation and event properties), streaming; prints its statistics.")
final class SchemaBuildCommand implements Callable<Integer> {
    @Option(names = "--items", required = true, paramLabel = "PATH", description = "items: id, label, description, subclass_of, instances")
    Path items;

    @Option(names = "--properties", required = true, paramLabel = "PATH", description = "relation/event properties with observed head, tail and role types")
    Path properties;

    @Mixin
    LibraryOutput output;

    @Option(names = "--min-instances", defaultValue = "1", description = "items with fewer instances are left out unless a property names them (default ${DEFAULT-VALUE})")
    long minInstances;

    @Override
    public Integer call() throws IOException {
        if (minInstances < 0) throw new BadInputException("--min-instances must be >= 0, got " + minInstances);
        long t0 = System.nanoTime();
        SchemaLibrary library = SchemaLibrary.of(WikidataBuilder.build(items, properties, minInstances, System.err::println));
        output.write(library);
        System.err.printf("wrote %s: %d concepts in %.1f s%n", output.out, library.size(), (System.nanoTime() - t0) / 1e9);
        SchemaCommand.printJson(SchemaStats.of(library));
        return 0;
    }
}

package org.knowcoder.schema;

import java.nio.file.Path;

/** Builds and writes a library in a JVM of its own, so that a test can limit its heap: args items, properties, min-instances, out. */
public final class BuildMain {
    private BuildMain() {}

    public static void main(String[] args) throws Exception {
        SchemaLibrary library = SchemaLibrary.of(WikidataBuilder.build(Path.of(args[0]), Path.of(args[1]), Long.parseLong(args[2]),
                System.err::println));
        SchemaJson.write(library, Path.of(args[3]));
        System.out.println(library.size());
    }
}

package org.knowcoder.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Spark output directories and token shards as the tests compare them. */
final class PartFiles {
    private PartFiles() {}

    /** The part files of a Spark output directory, concatenated in name order. */
    static byte[] concatenated(Path out) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(out)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) all.write(Files.readAllBytes(p));
        }
        return all.toByteArray();
    }

    /** The three files of the token shard {@code <dir>/<name>.*}: ids, loss mask, header. */
    static List<Path> shard(Path dir, String name) {
        return List.of(dir.resolve(name + ".tokens"), dir.resolve(name + ".mask"), dir.resolve(name + ".json"));
    }
}

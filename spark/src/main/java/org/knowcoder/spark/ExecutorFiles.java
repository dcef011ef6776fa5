package org.knowcoder.spark;

import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the data builders read on each executor, by its path there: the schema library and the
 * tokenizer, each read once per executor JVM and shared by its tasks (both are thread-safe), as the
 * model is for extraction.
 */
final class ExecutorFiles {
    private static final Map<String, SchemaLibrary> LIBRARIES = new ConcurrentHashMap<>();
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private ExecutorFiles() {}

    static SchemaLibrary library(String path) {
        return cached(LIBRARIES, path, SchemaJson::read);
    }

    /** The tokenizer at {@code path}; null for a null path (no shard, no ids). */
    static Tokenizer tokenizer(String path) {
        return path == null ? null : cached(TOKENIZERS, path, Tokenizers::load);
    }

    private interface Reader<T> {
        T read(Path path) throws IOException;
    }

    private static <T> T cached(Map<String, T> cache, String path, Reader<T> reader) {
        return cache.computeIfAbsent(path, p -> {
            try {
                return reader.read(Path.of(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

package org.knowcoder.spark;

import org.knowcoder.api.Options;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Which model to load and how, as it travels from the driver to the executors: {@link Options}
 * holds {@link Path}s, which are not serializable, so the paths go as strings. Two tasks with equal
 * specs share one loaded model ({@link ExecutorModels}). Paths must name the same files on every
 * executor (a shared file system, or the same layout on each machine).
 */
public record ModelSpec(String model, String tokenizer, String device, String quantize, String adapter, int threads, int batch,
                        int maxNewTokens, int chunkTokens, boolean constrained, boolean clauses, boolean consistency) implements Serializable {

    public static ModelSpec of(Path model, Options o) {
        return new ModelSpec(model.toString(), string(o.tokenizer()), o.device(), o.quantize(), string(o.adapter()), o.threads(), o.batch(),
                o.maxNewTokens(), o.chunkTokens(), o.constrained(), o.clauses(), o.consistency());
    }

    public Path modelPath() {
        return Path.of(model);
    }

    public Options options() {
        return new Options(path(tokenizer), device, quantize, path(adapter), threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, null);
    }

    private static String string(Path p) {
        return p == null ? null : p.toString();
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }
}

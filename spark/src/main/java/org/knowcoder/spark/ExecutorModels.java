package org.knowcoder.spark;

import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models and schemas of this JVM (an executor, or the driver in local mode), each built on
 * first use and then kept: loading a model maps its weights and builds its token trie, far too
 * much per task, let alone per row. All tasks of the executor share one {@link KnowCoder}, so
 * their prompts are decoded together in its batch. Never closed: the executor's exit frees the
 * memory, and its decoding thread is a daemon.
 */
final class ExecutorModels {
    private static final Map<ModelSpec, KnowCoder> MODELS = new ConcurrentHashMap<>();
    /**
     * One schema object per spec, held here: the library caches a schema's prompts under that
     * object (weakly), so every task of the executor reuses them and shares its decoding group.
     */
    private static final Map<TypesSpec, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    static KnowCoder model(ModelSpec spec) {
        return MODELS.computeIfAbsent(spec, s -> {
            try {
                return KnowCoder.load(s.modelPath(), s.options());
            } catch (IOException e) {
                throw new UncheckedIOException("loading the model " + s.model(), e);
            }
        });
    }

    static Schema schema(TypesSpec spec) {
        return SCHEMAS.computeIfAbsent(spec, TypesSpec::schema);
    }
}

package org.knowcoder.model.session;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;

/** Random models in the shapes of the shared fixtures, for tests of our own logic that need a model but not its answers (no ../shared). */
final class RandomModels {
    private RandomModels() {}

    /** stories260K's shape: dim 64, hidden 172, 5 layers, 8 heads over 4 kv heads, vocabulary and context 512, shared classifier. */
    static LlamaWeights stories() {
        return RandomWeights.create(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5f, 10000f), true, 13);
    }
}

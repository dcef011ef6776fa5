package org.knowcoder.model.session;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.GgufWriter;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.testing.TestPool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * A random model loaded with --quantize q4_0 / q4_k ({@link ModelLoader#weights}) against the same
 * model with every matrix replaced by its dequantized values in F32: the 4-bit kernels must compute
 * what those values compute, but for one thing: their decoding rounds the activations to int8, per
 * block of 32 for Q4_0 and per super-block of 256 for Q4_K (as ggml's 4-bit dots do; Q4RowsTest
 * holds the kernels to that arithmetic bit for bit), which moves these models' logits by up to
 * about 0.15, so the greedy ids agree but for near ties.
 */
class Q4ReferenceTest {
    /** How far 4-bit logits may move from those of the dequantized weights (absolute; the logits here span about -6 to 6). */
    static final double LOGITS = 0.25;

    private static final WorkerPool pool = TestPool.TWO_THREADS;
    /** Rows of 64, 96 and 160: the partial chunks of 32 values and a whole chunk of 128. */
    private static final LlamaConfig NARROW = new LlamaConfig(64, 160, 2, 4, 2, 96, 48, 1e-5f, 10000f);
    /** Rows of 256 and 512, Q4_K's super-blocks. */
    private static final LlamaConfig WIDE = new LlamaConfig(256, 512, 2, 4, 2, 96, 48, 1e-5f, 10000f);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q4_0, false", "Q4_0, true", "Q4_K, true"})
    void quantizedAtLoadGivesTheIdsOfItsDequantizedWeights(DType type, boolean wide) throws IOException {
        Path file = dir.resolve("m.gguf");
        try (LlamaWeights f32 = RandomWeights.create(wide ? WIDE : NARROW, false, 21)) {
            GgufWriter.write(f32, file, DType.F32, Map.of());
        }
        int[] prompt = {1, 17, 5, 60, 33, 2, 90};
        try (LlamaWeights q = ModelLoader.weights(file, type, true); LlamaWeights exact = dequantized(q)) {
            assertEquals(type, q.dtype());
            assertEquals(type, q.classifier().dtype());
            LlamaSession a = new LlamaSession(q, pool), b = new LlamaSession(exact, pool);
            assertGreedyAgrees(b, b.prefill(prompt, 0), a, a.prefill(prompt, 0), prompt.length, 20, type + " against its dequantized weights");
        }
    }

    /**
     * Both sessions stepped on the reference's greedy picks: at every step the logits within
     * {@link #LOGITS}, and the 4-bit session's pick the reference's, or a token the reference ranks
     * within {@link #LOGITS} of it (a near tie that rounding the activations may turn).
     */
    static void assertGreedyAgrees(LlamaSession reference, float[] expected, LlamaSession session, float[] actual, int pos, int steps, String what) {
        for (int i = 0; i < steps; i++) {
            assertArraysClose(expected, actual, LOGITS, 1e-4, what + ", step " + i);
            int e = Sampler.argmax(expected), a = Sampler.argmax(actual);
            if (a != e) assertTrue(expected[e] - expected[a] <= LOGITS, what + ", step " + i + ": " + a + " for " + e + ", " + (expected[e] - expected[a]) + " below it");
            if (i + 1 < steps) {
                expected = reference.forward(e, pos + i);
                actual = session.forward(e, pos + i);
            }
        }
    }

    /** {@code w} with every matrix widened to F32 on the heap: exactly the values its 4-bit codes stand for. */
    static LlamaWeights dequantized(LlamaWeights w) {
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (LlamaWeights.Layer l : w.layers()) {
            layers.add(new LlamaWeights.Layer(l.attentionNorm(), f32(l.wq()), f32(l.wk()), f32(l.wv()), f32(l.wo()),
                    l.ffnNorm(), f32(l.w1()), f32(l.w2()), f32(l.w3())));
        }
        Tensor emb = f32(w.tokenEmbedding());
        return new LlamaWeights(w.config(), emb, layers, w.finalNorm(), w.sharedClassifier() ? emb : f32(w.classifier()), w.rotateHalfLayout(), null);
    }

    private static Tensor f32(Tensor t) {
        return Tensor.ofFloatArray(t.name(), t.toFloats(), t.shape());
    }
}

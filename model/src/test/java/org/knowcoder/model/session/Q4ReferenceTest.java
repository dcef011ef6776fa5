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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * A random model loaded with --quantize q4_0 / q4_k ({@link ModelLoader#weights}) against the same
 * model with every matrix replaced by its dequantized values in F32: the 4-bit kernels must compute
 * what those values compute, so the greedy ids are equal and the logits agree to F32 rounding;
 * Q4_0's decoding rounds each block of 32 activations to int8 (as ggml's Q4_0 dot does; Q4RowsTest
 * holds it to that arithmetic bit for bit), which moves these models' logits by up to about 0.15.
 */
class Q4ReferenceTest {
    /** How far Q4_0 logits may move from those of its dequantized weights (absolute; the logits here span about -6 to 6). */
    static final double Q4_0_LOGITS = 0.25;

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
            float[] la = a.prefill(prompt, 0), lb = b.prefill(prompt, 0);
            assertArrayEquals(ReferenceModelsTest.greedy(b, lb.clone(), prompt.length, 20), ReferenceModelsTest.greedy(a, la.clone(), prompt.length, 20));
            assertArraysClose(lb, la, type == DType.Q4_0 ? Q4_0_LOGITS : 1e-4, 1e-4, type + " against its dequantized weights");
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

package org.knowcoder.model;

import org.junit.jupiter.api.Test;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AveragedWeightsTest {
    private static final LlamaConfig CONFIG = new LlamaConfig(16, 24, 2, 2, 1, 40, 32, 1e-5f, 10000f);

    /** Every matrix and norm is the element-wise mean, in F32 whatever the members' dtype. */
    @Test
    void everyWeightIsTheMeanOfTheModels() {
        try (LlamaWeights a = RandomWeights.create(CONFIG, false, 1); LlamaWeights b = RandomWeights.create(CONFIG, false, 2, DType.BF16);
             LlamaWeights c = RandomWeights.create(CONFIG, false, 3)) {
            List<LlamaWeights> models = List.of(a, b, c);
            LlamaWeights mean = AveragedWeights.of(models);
            assertEquals(CONFIG, mean.config());
            assertEquals(DType.F32, mean.dtype());
            assertMean(models, mean.layer(1).w2(), a.layer(1).w2(), b.layer(1).w2(), c.layer(1).w2());
            assertMean(models, mean.classifier(), a.classifier(), b.classifier(), c.classifier());
            assertMean(models, mean.tokenEmbedding(), a.tokenEmbedding(), b.tokenEmbedding(), c.tokenEmbedding());
            float[] norm = mean.layer(0).ffnNorm();
            for (int j = 0; j < norm.length; j++) {
                assertEquals((a.layer(0).ffnNorm()[j] + b.layer(0).ffnNorm()[j] + c.layer(0).ffnNorm()[j]) / 3, norm[j]);
            }
        }
    }

    @Test
    void aSharedClassifierStaysShared() {
        try (LlamaWeights a = RandomWeights.create(CONFIG, true, 1); LlamaWeights b = RandomWeights.create(CONFIG, true, 2)) {
            LlamaWeights mean = AveragedWeights.of(List.of(a, b));
            assertSame(mean.tokenEmbedding(), mean.classifier());
        }
    }

    @Test
    void modelsOfAnotherShapeAreRefused() {
        LlamaConfig wider = new LlamaConfig(32, 24, 2, 2, 1, 40, 32, 1e-5f, 10000f);
        try (LlamaWeights a = RandomWeights.create(CONFIG, false, 1); LlamaWeights b = RandomWeights.create(wider, false, 2);
             LlamaWeights shared = RandomWeights.create(CONFIG, true, 3)) {
            assertThrows(IllegalArgumentException.class, () -> AveragedWeights.of(List.of(a, b)));
            assertThrows(IllegalArgumentException.class, () -> AveragedWeights.of(List.of(a, shared)));
            assertThrows(IllegalArgumentException.class, () -> AveragedWeights.of(List.of()));
        }
    }

    private static void assertMean(List<LlamaWeights> models, Tensor mean, Tensor... members) {
        float[] expected = new float[Math.toIntExact(mean.numel())];
        for (Tensor t : members) {
            float[] v = t.toFloats();
            for (int j = 0; j < expected.length; j++) expected[j] += v[j];
        }
        for (int j = 0; j < expected.length; j++) expected[j] /= models.size();
        assertArrayEquals(expected, mean.toFloats(), mean.name());
    }
}

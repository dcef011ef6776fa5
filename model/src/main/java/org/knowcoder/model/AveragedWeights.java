package org.knowcoder.model;

import org.knowcoder.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The element-wise mean of models of one shape (a "model soup"): fine-tuned copies of one model
 * that went different ways from it average to weights that generalize better than each of them
 * (Wortsman et al., 2022). Every matrix and norm comes out F32 on the heap, summed in the order
 * given, so the same models in the same order give the same bits. For small models: every matrix is
 * widened whole.
 */
public final class AveragedWeights {
    private AveragedWeights() {}

    /** The mean of {@code models}, which must share config, RoPE layout and classifier sharing. */
    public static LlamaWeights of(List<LlamaWeights> models) {
        if (models.isEmpty()) throw new IllegalArgumentException("no models to average");
        LlamaWeights first = models.getFirst();
        for (LlamaWeights m : models) {
            if (!m.config().equals(first.config()) || m.rotateHalfLayout() != first.rotateHalfLayout()
                    || m.sharedClassifier() != first.sharedClassifier()) {
                throw new IllegalArgumentException("models of different shapes: " + first.config() + " and " + m.config());
            }
        }
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < first.config().nLayers(); l++) {
            int i = l;
            Function<Function<LlamaWeights.Layer, Tensor>, Tensor> matrix = part -> mean(models, w -> part.apply(w.layer(i)));
            layers.add(new LlamaWeights.Layer(meanNorm(models, w -> w.layer(i).attentionNorm()), matrix.apply(LlamaWeights.Layer::wq),
                    matrix.apply(LlamaWeights.Layer::wk), matrix.apply(LlamaWeights.Layer::wv), matrix.apply(LlamaWeights.Layer::wo),
                    meanNorm(models, w -> w.layer(i).ffnNorm()), matrix.apply(LlamaWeights.Layer::w1),
                    matrix.apply(LlamaWeights.Layer::w2), matrix.apply(LlamaWeights.Layer::w3)));
        }
        Tensor embedding = mean(models, LlamaWeights::tokenEmbedding);
        Tensor classifier = first.sharedClassifier() ? embedding : mean(models, LlamaWeights::classifier);
        return new LlamaWeights(first.config(), embedding, layers, meanNorm(models, LlamaWeights::finalNorm), classifier,
                first.rotateHalfLayout(), null);
    }

    private static Tensor mean(List<LlamaWeights> models, Function<LlamaWeights, Tensor> part) {
        Tensor shape = part.apply(models.getFirst());
        return Tensor.ofFloatArray(shape.name(), mean(models.stream().map(m -> part.apply(m).toFloats()).toList()), shape.shape());
    }

    private static float[] meanNorm(List<LlamaWeights> models, Function<LlamaWeights, float[]> part) {
        return mean(models.stream().map(part).toList());
    }

    private static float[] mean(List<float[]> values) {
        float[] sum = new float[values.getFirst().length];
        for (float[] v : values) for (int j = 0; j < sum.length; j++) sum[j] += v[j];
        for (int j = 0; j < sum.length; j++) sum[j] /= values.size();
        return sum;
    }
}

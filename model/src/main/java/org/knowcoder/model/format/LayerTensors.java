package org.knowcoder.model.format;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.tensor.Tensor;

/**
 * A checkpoint's layers read by name: every named-tensor format (Hugging Face's containers, GGUF)
 * finds the same nine tensors per layer with the same shapes, under its own names.
 */
record LayerTensors(IntFunction<String> attentionNorm, IntFunction<String> wq, IntFunction<String> wk, IntFunction<String> wv,
                    IntFunction<String> wo, IntFunction<String> ffnNorm, IntFunction<String> w1, IntFunction<String> w2,
                    IntFunction<String> w3) {
    static final LayerTensors HF = new LayerTensors(HfTensorNames::attentionNorm, HfTensorNames::wq, HfTensorNames::wk,
            HfTensorNames::wv, HfTensorNames::wo, HfTensorNames::ffnNorm, HfTensorNames::w1, HfTensorNames::w2, HfTensorNames::w3);
    static final LayerTensors GGUF = new LayerTensors(GgufTensorNames::attentionNorm, GgufTensorNames::wq, GgufTensorNames::wk,
            GgufTensorNames::wv, GgufTensorNames::wo, GgufTensorNames::ffnNorm, GgufTensorNames::w1, GgufTensorNames::w2,
            GgufTensorNames::w3);

    /** A tensor by name, refused unless it has {@code shape}. */
    interface Lookup {
        Tensor get(String name, long... shape) throws CheckpointFormatException;
    }

    /** Every layer of a model of config {@code c}, its tensors found through {@code get}. */
    List<LlamaWeights.Layer> read(LlamaConfig c, Lookup get) throws CheckpointFormatException {
        long d = c.dim(), hd = c.hiddenDim(), kv = c.kvDim();
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            layers.add(new LlamaWeights.Layer(
                    get.get(attentionNorm.apply(l), d).toFloats(),
                    get.get(wq.apply(l), d, d),
                    get.get(wk.apply(l), kv, d),
                    get.get(wv.apply(l), kv, d),
                    get.get(wo.apply(l), d, d),
                    get.get(ffnNorm.apply(l), d).toFloats(),
                    get.get(w1.apply(l), hd, d),
                    get.get(w2.apply(l), d, hd),
                    get.get(w3.apply(l), hd, d)));
        }
        return layers;
    }
}

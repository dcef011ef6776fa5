package org.knowcoder.model.format;

import org.knowcoder.model.LlamaConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a LlamaForCausalLM checkpoint, in the order the writers here save them: one list
 * of names and shapes for every writer, whether its values come from a model in memory
 * ({@link HuggingFaceWriter}) or are drawn as they are written ({@link RandomHfCheckpoint}).
 */
final class HfLayout {
    private HfLayout() {}

    /** Which part of the model a tensor is. */
    enum Kind { EMBEDDING, ATTENTION_NORM, Q, K, V, O, FFN_NORM, GATE, UP, DOWN, FINAL_NORM, CLASSIFIER }

    /** One tensor: its name, its shape, its kind and its layer (-1 outside the layers). */
    record Part(String name, long[] shape, Kind kind, int layer) {}

    /** The model's tensors; a {@code tied} model has no lm_head (the embedding is the classifier). */
    static List<Part> parts(LlamaConfig c, boolean tied) {
        long d = c.dim(), hd = c.hiddenDim(), kv = c.kvDim(), vocab = c.vocabSize();
        List<Part> list = new ArrayList<>();
        list.add(new Part(HfTensorNames.EMBEDDING, new long[] {vocab, d}, Kind.EMBEDDING, -1));
        for (int i = 0; i < c.nLayers(); i++) {
            list.add(new Part(HfTensorNames.attentionNorm(i), new long[] {d}, Kind.ATTENTION_NORM, i));
            list.add(new Part(HfTensorNames.wq(i), new long[] {d, d}, Kind.Q, i));
            list.add(new Part(HfTensorNames.wk(i), new long[] {kv, d}, Kind.K, i));
            list.add(new Part(HfTensorNames.wv(i), new long[] {kv, d}, Kind.V, i));
            list.add(new Part(HfTensorNames.wo(i), new long[] {d, d}, Kind.O, i));
            list.add(new Part(HfTensorNames.ffnNorm(i), new long[] {d}, Kind.FFN_NORM, i));
            list.add(new Part(HfTensorNames.w1(i), new long[] {hd, d}, Kind.GATE, i));
            list.add(new Part(HfTensorNames.w3(i), new long[] {hd, d}, Kind.UP, i));
            list.add(new Part(HfTensorNames.w2(i), new long[] {d, hd}, Kind.DOWN, i));
        }
        list.add(new Part(HfTensorNames.FINAL_NORM, new long[] {d}, Kind.FINAL_NORM, -1));
        if (!tied) list.add(new Part(HfTensorNames.CLASSIFIER, new long[] {vocab, d}, Kind.CLASSIFIER, -1));
        return list;
    }
}

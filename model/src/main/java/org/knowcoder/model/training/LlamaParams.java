package org.knowcoder.model.training;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.Projection;
import org.knowcoder.model.format.HfTensorNames;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.autograd.Var;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a LLaMA model as autograd variables, named as in Hugging Face's LlamaForCausalLM
 * and kept in the checkpoint's RoPE row layout (the training forward maps rotate-half q/k outputs
 * to adjacent pairs, as inference does), so gradients and saved weights line up with the file.
 * Either trainable F32 master copies ({@link #trainable}) or the checkpoint's tensors, frozen in
 * their file dtype ({@link #frozen}).
 */
public final class LlamaParams {

    /** One block; w1 = gate, w2 = down, w3 = up. Norm weights are [1, dim]. */
    public record Layer(Var attentionNorm, Var wq, Var wk, Var wv, Var wo, Var ffnNorm, Var w1, Var w2, Var w3) {
        /** The weight of projection {@code p}. */
        public Var weight(Projection p) {
            return switch (p) {
                case Q -> wq; case K -> wk; case V -> wv; case O -> wo; case GATE -> w1; case UP -> w3; case DOWN -> w2;
            };
        }
    }

    private final LlamaConfig config;
    private final Var embedding;
    private final List<Layer> layers;
    private final Var finalNorm;
    private final Var classifier;
    private final boolean rotateHalfLayout;

    private LlamaParams(LlamaConfig config, Var embedding, List<Layer> layers, Var finalNorm, Var classifier, boolean rotateHalfLayout) {
        this.config = config;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.classifier = classifier;
        this.rotateHalfLayout = rotateHalfLayout;
    }

    /** F32 copies of every weight of {@code w}, all trainable; a shared classifier stays one variable. */
    public static LlamaParams trainable(LlamaWeights w) {
        return build(w, true);
    }

    /** The weights of {@code w} as constants: matrices in their file dtype (not copied), norms as they are. */
    public static LlamaParams frozen(LlamaWeights w) {
        return build(w, false);
    }

    private static LlamaParams build(LlamaWeights w, boolean train) {
        LlamaConfig c = w.config();
        Var emb = matrix(HfTensorNames.EMBEDDING, w.tokenEmbedding(), train);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.nLayers(); i++) {
            LlamaWeights.Layer l = w.layer(i);
            layers.add(new Layer(vector(HfTensorNames.attentionNorm(i), l.attentionNorm(), train),
                    matrix(HfTensorNames.wq(i), l.wq(), train), matrix(HfTensorNames.wk(i), l.wk(), train),
                    matrix(HfTensorNames.wv(i), l.wv(), train), matrix(HfTensorNames.wo(i), l.wo(), train),
                    vector(HfTensorNames.ffnNorm(i), l.ffnNorm(), train),
                    matrix(HfTensorNames.w1(i), l.w1(), train), matrix(HfTensorNames.w2(i), l.w2(), train),
                    matrix(HfTensorNames.w3(i), l.w3(), train)));
        }
        Var norm = vector(HfTensorNames.FINAL_NORM, w.finalNorm(), train);
        Var cls = w.sharedClassifier() ? emb : matrix(HfTensorNames.CLASSIFIER, w.classifier(), train);
        return new LlamaParams(c, emb, layers, norm, cls, w.rotateHalfLayout());
    }

    private static Var matrix(String name, Tensor t, boolean train) {
        if (!train) return Var.frozen(t);
        Var v = Var.frozen(t);
        return Var.param(name, v.floats(), v.rows(), v.cols());
    }

    private static Var vector(String name, float[] values, boolean train) {
        float[] copy = values.clone();
        return train ? Var.param(name, copy, 1, copy.length) : Var.constant(name, copy, 1, copy.length);
    }

    public LlamaConfig config() { return config; }
    public Var embedding() { return embedding; }
    public List<Layer> layers() { return layers; }
    public Layer layer(int i) { return layers.get(i); }
    public Var finalNorm() { return finalNorm; }
    public Var classifier() { return classifier; }
    public boolean sharedClassifier() { return classifier == embedding; }
    public boolean rotateHalfLayout() { return rotateHalfLayout; }

    /** Every distinct variable by its Hugging Face tensor name, in checkpoint order. */
    public Map<String, Var> named() {
        Map<String, Var> out = new LinkedHashMap<>();
        out.put(HfTensorNames.EMBEDDING, embedding);
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            out.put(HfTensorNames.attentionNorm(i), l.attentionNorm());
            out.put(HfTensorNames.wq(i), l.wq());
            out.put(HfTensorNames.wk(i), l.wk());
            out.put(HfTensorNames.wv(i), l.wv());
            out.put(HfTensorNames.wo(i), l.wo());
            out.put(HfTensorNames.ffnNorm(i), l.ffnNorm());
            out.put(HfTensorNames.w1(i), l.w1());
            out.put(HfTensorNames.w3(i), l.w3());
            out.put(HfTensorNames.w2(i), l.w2());
        }
        out.put(HfTensorNames.FINAL_NORM, finalNorm);
        if (!sharedClassifier()) out.put(HfTensorNames.CLASSIFIER, classifier);
        return out;
    }

    /**
     * The current values as inference weights (views, not copies: they change as training updates
     * the parameters), for generation with {@code LlamaSession} or export with {@link org.knowcoder.model.format.HuggingFaceWriter}.
     */
    public LlamaWeights toWeights() {
        List<LlamaWeights.Layer> ls = new ArrayList<>();
        for (Layer l : layers) {
            ls.add(new LlamaWeights.Layer(l.attentionNorm().floats(), l.wq().tensor(), l.wk().tensor(), l.wv().tensor(),
                    l.wo().tensor(), l.ffnNorm().floats(), l.w1().tensor(), l.w2().tensor(), l.w3().tensor()));
        }
        return new LlamaWeights(config, embedding.tensor(), ls, finalNorm.floats(), classifier.tensor(), rotateHalfLayout, null);
    }
}

package org.knowcoder.model.format;

/** Tensor names of Hugging Face's LlamaForCausalLM, one list for the reader and the writer. */
public final class HfTensorNames {
    private HfTensorNames() {}

    public static final String EMBEDDING = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String CLASSIFIER = "lm_head.weight";

    public static String attentionNorm(int layer) {
        return inLayer(layer, "input_layernorm");
    }

    public static String wq(int layer) {
        return inLayer(layer, "self_attn.q_proj");
    }

    public static String wk(int layer) {
        return inLayer(layer, "self_attn.k_proj");
    }

    public static String wv(int layer) {
        return inLayer(layer, "self_attn.v_proj");
    }

    public static String wo(int layer) {
        return inLayer(layer, "self_attn.o_proj");
    }

    public static String ffnNorm(int layer) {
        return inLayer(layer, "post_attention_layernorm");
    }

    /** w1, the gate projection. */
    public static String w1(int layer) {
        return inLayer(layer, "mlp.gate_proj");
    }

    /** w2, the down projection. */
    public static String w2(int layer) {
        return inLayer(layer, "mlp.down_proj");
    }

    /** w3, the up projection. */
    public static String w3(int layer) {
        return inLayer(layer, "mlp.up_proj");
    }

    private static String inLayer(int layer, String module) {
        return "model.layers." + layer + "." + module + ".weight";
    }
}

package org.knowcoder.model;

/** Tensor names of Hugging Face's LlamaForCausalLM, one list for the reader and the writer. */
final class HfTensorNames {
    private HfTensorNames() {}

    static final String EMBEDDING = "model.embed_tokens.weight";
    static final String FINAL_NORM = "model.norm.weight";
    static final String CLASSIFIER = "lm_head.weight";

    static String attentionNorm(int layer) {
        return inLayer(layer, "input_layernorm");
    }

    static String wq(int layer) {
        return inLayer(layer, "self_attn.q_proj");
    }

    static String wk(int layer) {
        return inLayer(layer, "self_attn.k_proj");
    }

    static String wv(int layer) {
        return inLayer(layer, "self_attn.v_proj");
    }

    static String wo(int layer) {
        return inLayer(layer, "self_attn.o_proj");
    }

    static String ffnNorm(int layer) {
        return inLayer(layer, "post_attention_layernorm");
    }

    /** w1, the gate projection. */
    static String w1(int layer) {
        return inLayer(layer, "mlp.gate_proj");
    }

    /** w2, the down projection. */
    static String w2(int layer) {
        return inLayer(layer, "mlp.down_proj");
    }

    /** w3, the up projection. */
    static String w3(int layer) {
        return inLayer(layer, "mlp.up_proj");
    }

    private static String inLayer(int layer, String module) {
        return "model.layers." + layer + "." + module + ".weight";
    }
}

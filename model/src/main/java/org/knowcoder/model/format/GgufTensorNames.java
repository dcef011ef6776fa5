package org.knowcoder.model.format;

/** Tensor names of llama-architecture GGUF files (llama.cpp's naming). */
final class GgufTensorNames {
    private GgufTensorNames() {}

    static final String EMBEDDING = "token_embd.weight";
    static final String FINAL_NORM = "output_norm.weight";
    /** Absent when the classifier is the embedding. */
    static final String CLASSIFIER = "output.weight";

    static String attentionNorm(int layer) { return block(layer, "attn_norm"); }
    static String wq(int layer) { return block(layer, "attn_q"); }
    static String wk(int layer) { return block(layer, "attn_k"); }
    static String wv(int layer) { return block(layer, "attn_v"); }
    static String wo(int layer) { return block(layer, "attn_output"); }
    static String ffnNorm(int layer) { return block(layer, "ffn_norm"); }
    /** w1, the gate. */
    static String w1(int layer) { return block(layer, "ffn_gate"); }
    /** w2, the down projection. */
    static String w2(int layer) { return block(layer, "ffn_down"); }
    /** w3, the up projection. */
    static String w3(int layer) { return block(layer, "ffn_up"); }

    private static String block(int layer, String name) {
        return "blk." + layer + "." + name + ".weight";
    }
}

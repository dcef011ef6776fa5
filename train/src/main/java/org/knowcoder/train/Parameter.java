package org.knowcoder.train;

import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.tensor.autograd.Var;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A trainable tensor under its checkpoint name. {@code decay}: AdamW's weight decay applies (tensors
 * of two or more dimensions: matrices, embeddings, LoRA factors; not norm weights).
 */
public record Parameter(String name, Var var, boolean decay) {

    /** Every weight of a full-parameter model; norm weights (one-dimensional in the checkpoint, [1, n] here) without decay. */
    public static List<Parameter> of(LlamaParams params) {
        List<Parameter> out = new ArrayList<>();
        for (Map.Entry<String, Var> e : params.named().entrySet()) {
            out.add(new Parameter(e.getKey(), e.getValue(), e.getValue().rows() > 1));
        }
        return out;
    }
}

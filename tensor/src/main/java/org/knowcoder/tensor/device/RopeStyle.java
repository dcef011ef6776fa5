package org.knowcoder.tensor.device;

/** Which elements of a head vector RoPE rotates together. */
public enum RopeStyle {
    /** (v[2i], v[2i+1]): Meta's LLaMA and llama2.c. */
    ADJACENT_PAIRS,
    /** (v[i], v[i + headDim/2]): Hugging Face checkpoints, whose q and k rows are laid out for it. */
    ROTATE_HALF
}

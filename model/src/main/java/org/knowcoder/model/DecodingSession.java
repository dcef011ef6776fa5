package org.knowcoder.model;

/** A model's KV-cached conversation, one sequence: what {@link Generator} needs of a session on any device. */
public interface DecodingSession {
    LlamaConfig config();

    /** Feeds tokens[0..n) at positions start..start+n-1; returns the logits of the last one (a buffer reused by the next call). */
    float[] prefill(int[] tokens, int start);

    /** Feeds {@code token} at position {@code pos}; returns the logits (a buffer reused by the next call). */
    float[] forward(int token, int pos);
}

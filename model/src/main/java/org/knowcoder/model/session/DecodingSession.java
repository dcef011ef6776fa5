package org.knowcoder.model.session;

import org.knowcoder.model.LlamaConfig;

/**
 * A model's KV-cached conversations on some device: the one contract that decoders ({@link Generator},
 * KnowCoder's extractor) program against. A session holds {@link #sequences()} KV caches, each the
 * model's whole context; sequence 0 is the one the single-sequence calls use. Logits come back in
 * buffers the next call reuses.
 */
public interface DecodingSession {
    LlamaConfig config();

    /** How many sequences (KV caches) the session holds. */
    int sequences();

    /** Feeds tokens[0..n) at positions start..start+n-1 of sequence 0; returns the logits of the last one. */
    default float[] prefill(int[] tokens, int start) {
        return prefill(0, tokens, start);
    }

    /** Feeds {@code token} at position {@code pos} of sequence 0; returns the logits (one-sequence decoding's per-token call). */
    float[] forward(int token, int pos);

    /** Feeds tokens[0..n) at positions start..start+n-1 of {@code sequence}; returns the logits of the last one. */
    float[] prefill(int sequence, int[] tokens, int start);

    /**
     * Prefills several sequences: prompts[i] goes to sequences[i] (distinct) from position starts[i].
     * Returns the logits of each prompt's last token, row i at offset i * vocabSize.
     */
    float[] prefillMany(int[] sequences, int[][] prompts, int[] starts);

    /**
     * Whether {@link #prefillMany} packs the prompts' rows into shared passes, so that one-token
     * prompts cost a row each, as in {@link #decode}, not a pass each: then a decoder may feed the
     * prompts just started and the next tokens of the others in one call.
     */
    default boolean packsPrompts() {
        return false;
    }

    /**
     * Feeds one token to each of {@code n} sequences: tokens[i] at positions[i] of sequences[i]
     * (distinct). Returns their logits, row i at offset i * vocabSize.
     */
    float[] decode(int[] sequences, int[] tokens, int[] positions, int n);

    /** Copies positions [0, length) of sequence {@code from}'s cache into sequence {@code to}'s: a prompt prefix they share. */
    void copyPrefix(int from, int to, int length);

    /**
     * The keys and values of positions [0, tokens.length) of {@code sequence}'s cache, which the
     * caller knows to hold {@code tokens}; null where the session cannot give them out (a device's).
     */
    default KvPrefix prefix(int sequence, int[] tokens) {
        return null;
    }

    /** Writes the prefix's keys and values at positions [0, p.length()) of {@code sequence}'s cache; false where the session cannot. */
    default boolean restore(int sequence, KvPrefix p) {
        return false;
    }
}

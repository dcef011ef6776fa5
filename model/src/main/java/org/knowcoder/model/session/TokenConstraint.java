package org.knowcoder.model.session;

/**
 * Which tokens may come next in one sequence: a grammar the answer must follow, one instance per
 * sequence (its state is that sequence's). The model layer knows no grammar; a caller's request
 * asks its constraint before choosing ({@link Sampler#argmax(float[], int, int[], int)},
 * {@link Sampler#sample(float[], int[], int)}) and tells it the token chosen.
 */
public interface TokenConstraint {
    /**
     * Writes the ids allowed next to {@code ids} (room for the vocabulary) and returns how many.
     * Zero means no token can follow: the caller ends the sequence and keeps what it has.
     */
    int allowed(int[] ids);

    /** Moves past {@code token}, which {@link #allowed} offered. */
    void advance(int token);

    /**
     * What to keep of {@code generated}, the bytes of the tokens taken so far, when decoding stops
     * before the grammar is done (a token limit, the end of the context): those bytes, or, from a
     * grammar that can close early, their longest prefix that ends where it could close, closed.
     */
    default byte[] cutShort(byte[] generated) {
        return generated;
    }
}

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

    /**
     * Told before {@link #advance}: how far the token about to be taken scored below the best of
     * the whole vocabulary (a logit difference; 0 when the best was allowed), which tells a
     * constraint how much of the answer is its own rather than the model's.
     */
    default void forced(float gap) {}

    /** Moves past {@code token}, which {@link #allowed} offered. */
    void advance(int token);

    /**
     * What to keep of {@code generated}, the bytes of the tokens taken so far, once decoding stops:
     * those bytes, or a well-formed answer made of them. Decoding may stop before the grammar is done
     * (a token limit, the end of the context); a grammar that can close early then keeps the
     * longest prefix that ends where it could close, closed.
     */
    default byte[] kept(byte[] generated) {
        return generated;
    }
}

package org.knowcoder.model.session;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a {@link BatchDecoder} is doing, for a server's metrics: the sequences in flight now, the
 * prompt tokens taken and tokens chosen so far, and how full each decode step was. Written by the
 * decoding thread and read by any other, hence atomics (unlike {@link BatchDecoder.Stats}, which the
 * decoding thread's own caller reads after a run).
 */
public final class DecoderLoad {
    /** Index n: decode steps that advanced n sequences together. */
    private final AtomicLongArray steps;
    private final AtomicLong promptTokens = new AtomicLong(), generatedTokens = new AtomicLong();
    private volatile int active;

    DecoderLoad(int slots) {
        this.steps = new AtomicLongArray(slots + 1);
    }

    /** Sequences the decoder can advance together. */
    public int slots() {
        return steps.length() - 1;
    }

    /** Sequences in flight: started and neither complete nor cancelled. */
    public int active() {
        return active;
    }

    /** Tokens of every prompt started, whether prefilled or taken from the kept prefix. */
    public long promptTokens() {
        return promptTokens.get();
    }

    /** Tokens chosen, the one that ends an answer (EOS) included. */
    public long generatedTokens() {
        return generatedTokens.get();
    }

    /** Decode steps that advanced exactly {@code n} sequences, 1 to {@link #slots}. */
    public long steps(int n) {
        return steps.get(n);
    }

    void started(int tokens) {
        promptTokens.addAndGet(tokens);
    }

    void chosen(int tokens) {
        generatedTokens.addAndGet(tokens);
    }

    void stepped(int sequences) {
        steps.incrementAndGet(sequences);
    }

    void active(int sequences) {
        active = sequences;
    }
}

package org.knowcoder.model;

import java.util.Arrays;

/**
 * The decoding loop, with llama2.c's step semantics: positions 0..steps-1 are fed (prompt first,
 * in one batched prefill), each fed position after the prompt yields one sampled token, and
 * generation ends early at BOS or EOS. Timing follows llama2.c: the clock starts once the first
 * token is out, and tok/s counts the positions decoded after that.
 */
public final class Generator {
    private Generator() {}

    /** Receives each generated token and the one before it (for tokenizers that decode in context). */
    @FunctionalInterface
    public interface TokenSink {
        void accept(int previous, int token);
    }

    /** The generated ids (no prompt) and the decoding speed (NaN when fewer than two positions were timed). */
    public record Result(int[] ids, double tokensPerSecond) {}

    /**
     * Throws IllegalArgumentException, saying what was expected, unless {@code prompt} is a
     * non-empty run of in-vocabulary ids that fits the model's context. Callers that echo the
     * prompt check it first; {@link #generate} checks it again.
     */
    public static void checkPrompt(int[] prompt, LlamaConfig config) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt must hold at least one token (BOS)");
        if (prompt.length > config.seqLen()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length
                    + " tokens (BOS included), more than the model's context of " + config.seqLen());
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("prompt token " + i + " is id " + prompt[i]
                        + ", outside the model's vocabulary of ids 0.." + (config.vocabSize() - 1));
            }
        }
    }

    public static Result generate(DecodingSession session, Sampler sampler, int[] prompt, int steps,
                                  int bos, int eos, TokenSink sink) {
        checkPrompt(prompt, session.config());
        int seqLen = session.config().seqLen();
        int limit = steps <= 0 || steps > seqLen ? seqLen : steps;
        float[] logits = session.prefill(prompt, 0);
        int pos = prompt.length - 1;
        int token = prompt[pos];
        int[] ids = new int[Math.max(0, limit - pos)]; // at most one token per position left
        int generated = 0;
        long start = 0;
        int decoded = 0;
        while (pos < limit) {
            int next = sampler.sample(logits);
            pos++;
            if (next == bos || next == eos) break;
            ids[generated++] = next;
            sink.accept(token, next);
            token = next;
            if (start == 0) start = System.nanoTime();
            if (pos < limit) {
                logits = session.forward(token, pos);
                decoded++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(Arrays.copyOf(ids, generated), decoded > 0 ? decoded / seconds : Double.NaN);
    }
}

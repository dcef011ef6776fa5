package org.knowcoder.model.session;

import org.knowcoder.model.LlamaConfig;

import org.knowcoder.io.BadInputException;

import java.util.Arrays;
import java.util.List;

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
     * Throws BadInputException, saying what was expected, unless {@code prompt} is a
     * non-empty run of in-vocabulary ids that fits the model's context. Callers that echo the
     * prompt check it first; {@link #generate} checks it again.
     */
    public static void checkPrompt(int[] prompt, LlamaConfig config) {
        if (prompt.length == 0) throw new BadInputException("the prompt must hold at least one token (BOS)");
        if (prompt.length > config.seqLen()) {
            throw new BadInputException("the prompt has " + prompt.length
                    + " tokens (BOS included), more than the model's context of " + config.seqLen());
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw new BadInputException("prompt token " + i + " is id " + prompt[i]
                        + ", outside the model's vocabulary of ids 0.." + (config.vocabSize() - 1));
            }
        }
    }

    public static Result generate(DecodingSession session, Sampler sampler, int[] prompt, int steps,
                                  int bos, int eos, TokenSink sink) {
        checkPrompt(prompt, session.config());
        int seqLen = session.config().seqLen();
        Sampled request = new Sampled(sampler, prompt, steps <= 0 || steps > seqLen ? seqLen : steps, bos, eos, sink);
        try {
            new BatchDecoder(session, false).run(List.of(request), r -> {});
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // nothing here writes: the sink does its own I/O
        }
        double seconds = (System.nanoTime() - request.start) / 1e9;
        return new Result(Arrays.copyOf(request.ids, request.generated), request.fed > 0 ? request.fed / seconds : Double.NaN);
    }

    /**
     * One prompt with llama2.c's step semantics: a token is sampled at each position after the
     * prompt up to the limit, and fed unless it is the last; BOS or EOS ends the answer unrecorded.
     */
    private static final class Sampled implements BatchDecoder.Request {
        final Sampler sampler;
        final int[] prompt, ids;
        final int limit, bos, eos;
        final TokenSink sink;
        int pos, token, generated, fed;
        long start;

        Sampled(Sampler sampler, int[] prompt, int limit, int bos, int eos, TokenSink sink) {
            this.sampler = sampler;
            this.prompt = prompt;
            this.limit = limit;
            this.bos = bos;
            this.eos = eos;
            this.sink = sink;
            this.pos = prompt.length - 1;
            this.token = prompt[pos];
            this.ids = new int[Math.max(0, limit - pos)]; // at most one token per position left
        }

        @Override
        public int[] prompt() {
            return prompt;
        }

        @Override
        public int choose(float[] logits, int offset, int vocab) {
            // a one-sequence session hands over its own logits buffer; the sampler overwrites it
            return sampler.sample(offset == 0 && logits.length == vocab ? logits : Arrays.copyOfRange(logits, offset, offset + vocab));
        }

        @Override
        public boolean accept(int next) {
            pos++;
            if (next == bos || next == eos) return false;
            ids[generated++] = next;
            sink.accept(token, next);
            token = next;
            if (start == 0) start = System.nanoTime();
            if (pos >= limit) return false;
            fed++;
            return true;
        }
    }
}

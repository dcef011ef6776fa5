package org.knowcoder.ie.extract;

import org.knowcoder.ie.constrain.ResultsConstraint;
import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.constrain.TokenTrie;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.session.BatchDecoder;
import org.knowcoder.model.session.DecoderLoad;
import org.knowcoder.model.session.DecodingSession;
import org.knowcoder.model.session.KvPrefix;
import org.knowcoder.model.session.Sampler;
import org.knowcoder.model.session.TokenConstraint;
import org.knowcoder.tensor.kernels.ExpSum;
import org.knowcoder.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Greedy KnowCoder decoding of many prompts: each prompt (BOS first, truncated as KnowCoder does)
 * is answered until {@code """}, EOS, the new-token limit or the end of the context. The decoding
 * itself (the shared prompt prefix computed once, several prompts decoded together) is
 * {@link BatchDecoder}'s; this class holds KnowCoder's rules. Constrained, each prompt given a
 * {@link ResultsGrammar} is answered with the highest-logit token its grammar allows
 * ({@link ResultsConstraint}, each answer its own state), so the answer is a well-formed results
 * block of the prompt's classes and the sentence's spans, then EOS.
 */
public final class Extractor {
    private static final byte QUOTE = '"';

    private final BatchDecoder decoder;
    private final Tokenizer tokenizer;
    private final int maxNewTokens;
    /** The prompt leaves room for the answer: the new-token limit, or a quarter of the context if that is less. */
    private final int promptRoom;
    private final int seqLen;
    private final ExtractionTimings timings;
    /** The tokenizer's pieces for constrained answers, built once per model; null when unconstrained. */
    private final TokenTrie pieces;
    private final float doubt;
    /** The allowed ids of the answer choosing now: answers choose one at a time, on the decoding thread. */
    private final int[] allowed;

    /** One answer: the generated text (cut before {@code """}) and token counts. */
    public record Output(String text, int promptTokens, int generatedTokens) {}

    /** Receives each prompt's answer, by the prompt's index, in the order they finish. */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, Output output) throws java.io.IOException;
    }

    /** @param constrained whether prompts given a grammar are answered within it */
    public Extractor(DecodingSession session, Tokenizer tokenizer, int maxNewTokens, boolean reusePrefix, boolean constrained) {
        this(session, tokenizer, maxNewTokens, reusePrefix, constrained, ResultsConstraint.DOUBT);
    }

    /** @param doubt the summed gap past which a constrained answer leaves an item out ({@link ResultsConstraint}) */
    Extractor(DecodingSession session, Tokenizer tokenizer, int maxNewTokens, boolean reusePrefix, boolean constrained, float doubt) {
        if (maxNewTokens < 1) throw new IllegalArgumentException("the new-token limit must be at least 1, got " + maxNewTokens);
        this.decoder = new BatchDecoder(session, reusePrefix);
        this.tokenizer = tokenizer;
        this.maxNewTokens = maxNewTokens;
        this.seqLen = session.config().seqLen();
        this.promptRoom = Math.max(1, seqLen - Math.min(maxNewTokens, seqLen / 4));
        this.timings = new ExtractionTimings(decoder.stats());
        this.pieces = constrained ? new TokenTrie(tokenizer) : null;
        this.doubt = doubt;
        this.allowed = new int[tokenizer.vocabSize()];
    }

    public ExtractionTimings timings() {
        return timings;
    }

    /** Sentences decoded together. */
    public int inFlight() {
        return decoder.inFlight();
    }

    /** The prompt prefix the decoder keeps ({@link BatchDecoder#kept}); null when none. Between runs only. */
    public KvPrefix keptPrefix() {
        return decoder.kept();
    }

    /** Keeps {@code p} for the prompts that begin with it ({@link BatchDecoder#keep}); false when it cannot. Before any run. */
    public boolean keepPrefix(KvPrefix p) {
        return decoder.keep(p);
    }

    /** What the decoder is doing, readable from any thread (for a server's metrics). */
    public DecoderLoad load() {
        return decoder.load();
    }

    /** The answer to one prompt. */
    public Output extract(String prompt) throws java.io.IOException {
        Output[] out = new Output[1];
        extractAll(List.of(prompt), (i, o) -> out[0] = o);
        return out[0];
    }

    /** Tokens a prompt may have before KnowCoder's truncation cuts it: the context less the answer's room. */
    public int promptRoom() {
        return promptRoom;
    }

    /** The tokenizer the prompts are encoded with (for callers that size text to {@link #promptRoom}). */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Answers every prompt, up to {@link #inFlight} at a time, without grammars. */
    public void extractAll(List<String> prompts, Sink sink) throws java.io.IOException {
        extractAll(prompts, Collections.nCopies(prompts.size(), null), sink);
    }

    /** Answers every prompt, each within its grammar (grammars[i], or null for none) when constrained. */
    public void extractAll(List<String> prompts, List<ResultsGrammar> grammars, Sink sink) throws java.io.IOException {
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) answers.add(answer(i, prompts.get(i), grammars.get(i), null));
        run(new ArrayDeque<>(answers), sink);
    }

    /**
     * A prompt to answer by {@link #run}: {@code index} names it to the sink, {@code grammar} (or null)
     * constrains it when this extractor is constrained, {@code stream} (or null) receives the
     * generated text as it grows, whole characters at a time.
     */
    public Answer answer(int index, String prompt, ResultsGrammar grammar, Consumer<String> stream) {
        return answerWithin(index, prompt, pieces == null || grammar == null ? null : new ResultsConstraint(grammar, pieces, doubt), stream);
    }

    /** {@link #answer} with any constraint, or null. */
    Answer answerWithin(int index, String prompt, TokenConstraint constraint, Consumer<String> stream) {
        return new Answer(index, PromptTruncation.apply(tokenizer.encode(prompt, true, false), promptRoom), constraint, stream);
    }

    /**
     * {@code prompt} (BOS first, not truncated: a continuation is of the whole prompt) to continue
     * by {@link #decode}: at most {@code maxTokens} tokens, fewer when the context ends first. Bad
     * input when the prompt leaves the context no room for a token.
     *
     * @param sampler its own sampler, or null for greedy decoding
     */
    public Continuation continuation(String prompt, Sampler sampler, int maxTokens, List<String> stop, Consumer<String> stream) {
        int[] ids = tokenizer.encode(prompt, true, false);
        if (ids.length >= seqLen) {
            throw new BadInputException("the prompt has " + ids.length + " tokens (BOS included), leaving no room for an answer in the model's context of "
                    + seqLen + "; shorten it");
        }
        return new Continuation(tokenizer, ids, sampler, maxTokens, stop, stream);
    }

    /** Answers the prompts taken from {@code waiting}, which other threads may add to meanwhile (see {@link BatchDecoder#run(Queue, BatchDecoder.Done)}). */
    public void run(Queue<Answer> waiting, Sink sink) throws java.io.IOException {
        decode(waiting, a -> false, a -> sink.accept(a.index, a.output()));
    }

    /**
     * Decodes requests of any kind ({@link Answer}s, {@link Continuation}s) taken from {@code waiting};
     * one for which {@code cancelled} holds is dropped before the next step (see {@link BatchDecoder#run(Queue, Predicate, BatchDecoder.Done)}).
     */
    public <R extends BatchDecoder.Request> void decode(Queue<R> waiting, Predicate<? super R> cancelled, BatchDecoder.Done<R> done)
            throws java.io.IOException {
        decoder.run(waiting, cancelled, done);
    }

    /** A prompt being answered greedily: the text so far, KnowCoder's stop rules and the answer's constraint (or null). */
    public final class Answer implements BatchDecoder.Request {
        final int index;
        final int[] prompt;
        final TokenConstraint constraint;
        final Consumer<String> stream;
        int previous, generated;
        /** Quote characters at the end of the text so far: three end the answer. */
        int trailingQuotes;
        final Utf8Text text = new Utf8Text();

        Answer(int index, int[] prompt, TokenConstraint constraint, Consumer<String> stream) {
            this.index = index;
            this.prompt = prompt;
            this.constraint = constraint;
            this.stream = stream;
            this.previous = prompt[prompt.length - 1];
        }

        @Override
        public int[] prompt() {
            return prompt;
        }

        /**
         * The highest logit, among the tokens the constraint allows if there is one (telling it how
         * far below the vocabulary's best that was: {@link TokenConstraint#forced}). A constraint that
         * allows none (its grammar forbids it: every state it reaches can be completed) gets EOS, which
         * ends the answer with the text so far, rather than a token outside it.
         */
        @Override
        public int choose(float[] logits, int offset, int vocab) {
            if (constraint == null) return Sampler.argmax(logits, offset, vocab);
            int n = constraint.allowed(allowed);
            if (n == 0) return tokenizer.eosId();
            int token = Sampler.argmax(logits, offset, allowed, n);
            constraint.forced(ExpSum.max(logits, offset, vocab) - logits[offset + token]); // the vector max: a pass over the vocabulary each step
            return token;
        }

        /** EOS, {@code """} and the new-token limit complete the answer. */
        @Override
        public boolean accept(int token) {
            if (token == tokenizer.eosId()) return false;
            if (constraint != null) constraint.advance(token);
            generated++;
            byte[] piece = tokenizer.decode(previous, token);
            previous = token;
            String added = text.append(piece);
            if (stream != null && !added.isEmpty()) stream.accept(added);
            for (byte b : piece) {
                trailingQuotes = b == QUOTE ? trailingQuotes + 1 : 0;
                if (trailingQuotes == 3) return false;
            }
            return generated < maxNewTokens;
        }

        /** The answer so far: once the decoder is done with it, the whole answer. */
        public Output output() {
            String out = constraint == null ? text.all() : new String(constraint.kept(text.bytes()), StandardCharsets.UTF_8);
            int stop = out.indexOf("\"\"\"");
            return new Output(stop >= 0 ? out.substring(0, stop) : out, prompt.length, generated);
        }
    }
}

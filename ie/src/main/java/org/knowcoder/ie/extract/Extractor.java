package org.knowcoder.ie.extract;

import org.knowcoder.model.session.BatchDecoder;
import org.knowcoder.model.session.DecodingSession;
import org.knowcoder.model.session.Sampler;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy KnowCoder decoding of many prompts: each prompt (BOS first, truncated as KnowCoder does)
 * is answered until {@code """}, EOS, the new-token limit or the end of the context. The decoding
 * itself (the shared prompt prefix computed once, several prompts decoded together) is
 * {@link BatchDecoder}'s; this class holds KnowCoder's rules.
 */
public final class Extractor {
    private static final byte QUOTE = '"';

    private final BatchDecoder decoder;
    private final Tokenizer tokenizer;
    private final int maxNewTokens;
    private final int seqLen;
    private final ExtractionTimings timings;

    /** One answer: the generated text (cut before {@code """}) and token counts. */
    public record Output(String text, int promptTokens, int generatedTokens) {}

    /** Receives each prompt's answer, by the prompt's index, in the order they finish. */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, Output output) throws java.io.IOException;
    }

    public Extractor(DecodingSession session, Tokenizer tokenizer, int maxNewTokens, boolean reusePrefix) {
        if (maxNewTokens < 1) throw new IllegalArgumentException("the new-token limit must be at least 1, got " + maxNewTokens);
        this.decoder = new BatchDecoder(session, reusePrefix);
        this.tokenizer = tokenizer;
        this.maxNewTokens = maxNewTokens;
        this.seqLen = session.config().seqLen();
        this.timings = new ExtractionTimings(decoder.stats());
    }

    public ExtractionTimings timings() {
        return timings;
    }

    /** Sentences decoded together. */
    public int inFlight() {
        return decoder.inFlight();
    }

    /** The answer to one prompt. */
    public Output extract(String prompt) throws java.io.IOException {
        Output[] out = new Output[1];
        extractAll(List.of(prompt), (i, o) -> out[0] = o);
        return out[0];
    }

    /** Answers every prompt, up to {@link #inFlight} at a time. */
    public void extractAll(List<String> prompts, Sink sink) throws java.io.IOException {
        // the prompt leaves room for the answer: the new-token limit, or a quarter of the context if that is less
        int room = Math.max(1, seqLen - Math.min(maxNewTokens, seqLen / 4));
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            answers.add(new Answer(i, PromptTruncation.apply(tokenizer.encode(prompts.get(i), true, false), room)));
        }
        decoder.run(answers, a -> sink.accept(a.index, a.output()));
    }

    /** A prompt being answered greedily: the text so far and KnowCoder's stop rules. */
    private final class Answer implements BatchDecoder.Request {
        final int index;
        final int[] prompt;
        int previous, generated;
        /** Quote characters at the end of the text so far: three end the answer. */
        int trailingQuotes;
        final ByteArrayOutputStream text = new ByteArrayOutputStream();

        Answer(int index, int[] prompt) {
            this.index = index;
            this.prompt = prompt;
            this.previous = prompt[prompt.length - 1];
        }

        @Override
        public int[] prompt() {
            return prompt;
        }

        @Override
        public int choose(float[] logits, int offset, int vocab) {
            return Sampler.argmax(logits, offset, vocab);
        }

        /** EOS, {@code """} and the new-token limit complete the answer. */
        @Override
        public boolean accept(int token) {
            if (token == tokenizer.eosId()) return false;
            generated++;
            byte[] piece = tokenizer.decode(previous, token);
            previous = token;
            text.writeBytes(piece);
            for (byte b : piece) {
                trailingQuotes = b == QUOTE ? trailingQuotes + 1 : 0;
                if (trailingQuotes == 3) return false;
            }
            return generated < maxNewTokens;
        }

        Output output() {
            String out = text.toString(StandardCharsets.UTF_8);
            int stop = out.indexOf("\"\"\"");
            return new Output(stop >= 0 ? out.substring(0, stop) : out, prompt.length, generated);
        }
    }
}

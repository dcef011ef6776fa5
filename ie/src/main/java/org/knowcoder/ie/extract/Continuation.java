package org.knowcoder.ie.extract;

import org.knowcoder.model.session.BatchDecoder;
import org.knowcoder.model.session.Sampler;
import org.knowcoder.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A prompt continued as a base model continues text, for OpenAI-style completions: tokens chosen by
 * a {@link Sampler} (greedy without one) until EOS or BOS, a stop string, the token limit or the end
 * of the context. A stop string ends the text before it, so the stream is held back by as many
 * characters as a stop string could still be completing; what the stream gets, concatenated, is the
 * final text. Lives on the decoding thread, like every {@link BatchDecoder.Request}.
 */
public final class Continuation implements BatchDecoder.Request {
    /** The continued text, how it ended (a stop: EOS or a stop string; otherwise a limit), and token counts. */
    public record Result(String text, boolean stopped, int promptTokens, int generatedTokens) {}

    private final Tokenizer tokenizer;
    private final int[] prompt;
    private final Sampler sampler;
    private final int maxTokens;
    private final List<String> stop;
    private final Consumer<String> stream;
    /** Characters that may be the start of a stop string, not streamed until the next token tells. */
    private final int holdBack;
    private final Utf8Text bytes = new Utf8Text();
    private final StringBuilder text = new StringBuilder();
    private int previous, generated, streamed;
    private boolean stopped;

    /**
     * @param prompt  the prompt's ids, BOS first, shorter than the context
     * @param sampler the sampler (its own, seeded), or null for greedy decoding
     * @param stop    strings that end the text (not included)
     * @param stream  receives the text as it is written, or null
     */
    Continuation(Tokenizer tokenizer, int[] prompt, Sampler sampler, int maxTokens, List<String> stop, Consumer<String> stream) {
        this.tokenizer = tokenizer;
        this.prompt = prompt;
        this.sampler = sampler;
        this.maxTokens = maxTokens;
        this.stop = List.copyOf(stop);
        this.stream = stream;
        this.holdBack = this.stop.stream().mapToInt(String::length).max().orElse(1) - 1;
        this.previous = prompt[prompt.length - 1];
    }

    @Override
    public int[] prompt() {
        return prompt;
    }

    @Override
    public int choose(float[] logits, int offset, int vocab) {
        if (sampler == null) return Sampler.argmax(logits, offset, vocab);
        return sampler.sample(Arrays.copyOfRange(logits, offset, offset + vocab)); // the sampler overwrites its row
    }

    @Override
    public boolean accept(int token) {
        if (token == tokenizer.eosId() || token == tokenizer.bosId()) {
            stopped = true;
            return false;
        }
        generated++;
        int before = text.length();
        text.append(bytes.append(tokenizer.decode(previous, token)));
        previous = token;
        int cut = firstStop(before);
        if (cut >= 0) {
            text.setLength(cut);
            stopped = true;
            streamTo(cut);
            return false;
        }
        streamTo(text.length() - holdBack);
        return generated < maxTokens;
    }

    /**
     * The text, once the decoder is done with it (the stream gets what it held back). Ended by a
     * limit, a character the last token left unfinished is kept as U+FFFD.
     */
    public Result result() {
        if (!stopped) text.append(bytes.rest());
        streamTo(text.length());
        return new Result(text.toString(), stopped, prompt.length, generated);
    }

    /** Where the first stop string starts, -1 for none; one that ends before {@code before} would have stopped an earlier token. */
    private int firstStop(int before) {
        int first = -1;
        for (String s : stop) {
            int at = text.indexOf(s, Math.max(0, before - s.length() + 1));
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    private void streamTo(int end) {
        if (stream == null || end <= streamed) return;
        stream.accept(text.substring(streamed, end));
        streamed = end;
    }
}

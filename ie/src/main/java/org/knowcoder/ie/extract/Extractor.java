package org.knowcoder.ie.extract;

import org.knowcoder.model.LlamaSession;
import org.knowcoder.model.Sampler;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Greedy KnowCoder decoding: the prompt (BOS first, truncated as KnowCoder does) is prefilled,
 * then one token at a time until {@code """}, EOS, the new-token limit or the end of the context.
 *
 * <p>The KV cache is kept between calls: a prompt that starts with the tokens already in the cache
 * (the class definitions and instruction shared by a dataset's sentences) prefills only the rest.
 * Reuse is decided on token ids, so it is exact whatever the tokenizer does at the boundary.
 */
public final class Extractor {
    private static final byte QUOTE = '"';

    private final LlamaSession session;
    private final Tokenizer tokenizer;
    private final int maxNewTokens;
    private final boolean reusePrefix;
    private final int seqLen;
    /** Token ids whose keys and values are in the cache, position by position. */
    private int[] cached = new int[0];
    private int cachedLength;
    private final ExtractionTimings timings = new ExtractionTimings();

    /** One answer: the generated text (cut before {@code """}) and token counts. */
    public record Output(String text, int promptTokens, int reusedTokens, int generatedTokens) {}

    public Extractor(LlamaSession session, Tokenizer tokenizer, int maxNewTokens, boolean reusePrefix) {
        if (maxNewTokens < 1) throw new IllegalArgumentException("the new-token limit must be at least 1, got " + maxNewTokens);
        this.session = session;
        this.tokenizer = tokenizer;
        this.maxNewTokens = maxNewTokens;
        this.reusePrefix = reusePrefix;
        this.seqLen = session.config().seqLen();
    }

    public ExtractionTimings timings() {
        return timings;
    }

    public Output extract(String prompt) {
        int[] tokens = PromptTruncation.apply(tokenizer.encode(prompt, true, false), Math.max(1, seqLen - Math.min(maxNewTokens, seqLen / 4)));
        int reused = reusePrefix ? Math.min(commonPrefix(tokens), tokens.length - 1) : 0;
        long t0 = System.nanoTime();
        float[] logits = session.prefill(Arrays.copyOfRange(tokens, reused, tokens.length), reused);
        long t1 = System.nanoTime();
        timings.addPrefill(t1 - t0, tokens.length - reused);
        remember(tokens, tokens.length);

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int pos = tokens.length, previous = tokens[tokens.length - 1], generated = 0;
        while (generated < maxNewTokens) {
            int next = Sampler.argmax(logits);
            if (next == tokenizer.eosId()) break;
            generated++;
            int before = text.size();
            text.writeBytes(tokenizer.decode(previous, next));
            if (tripleQuoteSince(text, before) || pos >= seqLen) break;
            logits = session.forward(next, pos);
            remember(next, pos++);
            previous = next;
        }
        timings.addDecode(System.nanoTime() - t1, generated);
        String out = text.toString(StandardCharsets.UTF_8);
        int stop = out.indexOf("\"\"\"");
        return new Output(stop >= 0 ? out.substring(0, stop) : out, tokens.length, reused, generated);
    }

    private int commonPrefix(int[] tokens) {
        int n = Math.min(cachedLength, tokens.length), i = 0;
        while (i < n && cached[i] == tokens[i]) i++;
        return i;
    }

    private void remember(int[] tokens, int length) {
        if (cached.length < length) cached = Arrays.copyOf(tokens, Math.max(length, 2 * cached.length));
        else System.arraycopy(tokens, 0, cached, 0, length);
        cachedLength = length;
    }

    private void remember(int token, int pos) {
        if (pos >= cached.length) cached = Arrays.copyOf(cached, Math.max(pos + 1, 2 * cached.length));
        cached[pos] = token;
        cachedLength = pos + 1;
    }

    /** Whether {@code """} ends somewhere in the bytes added since {@code before}. */
    private static boolean tripleQuoteSince(ByteArrayOutputStream text, int before) {
        byte[] b = text.toByteArray();
        for (int i = Math.max(0, before - 2); i + 3 <= b.length; i++) if (b[i] == QUOTE && b[i + 1] == QUOTE && b[i + 2] == QUOTE) return true;
        return false;
    }
}

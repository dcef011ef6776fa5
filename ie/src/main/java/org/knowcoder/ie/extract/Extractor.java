package org.knowcoder.ie.extract;

import org.knowcoder.model.DecodingSession;
import org.knowcoder.model.Sampler;
import org.knowcoder.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy KnowCoder decoding of many prompts: each prompt (BOS first, truncated as KnowCoder does)
 * is prefilled, then decoded one token at a time until {@code """}, EOS, the new-token limit or
 * the end of the context.
 *
 * <p>Two things make a dataset's sentences cheap. The prompt prefix they share (class definitions,
 * instruction, examples) is computed once: sequence 0 of the session holds it, and each prompt
 * copies the part it shares (compared token by token, so it is exact whatever the tokenizer does
 * at the boundary) instead of recomputing it. And the other sequences are decoded together, one
 * token of every sentence in flight per step, so each weight is read once per step for all of
 * them. A session of one sequence decodes one prompt at a time and keeps its prefix in place.
 */
public final class Extractor {
    private static final byte QUOTE = '"';

    private final DecodingSession session;
    private final Tokenizer tokenizer;
    private final int maxNewTokens;
    private final boolean reusePrefix;
    private final int seqLen;
    /** Token ids whose keys and values sequence 0's cache holds, position by position. */
    private int[] prefix = new int[0];
    private int prefixLength;
    private final ExtractionTimings timings = new ExtractionTimings();

    /** One answer: the generated text (cut before {@code """}) and token counts. */
    public record Output(String text, int promptTokens, int reusedTokens, int generatedTokens) {}

    /** Receives each prompt's answer, by the prompt's index, in the order they finish. */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, Output output) throws java.io.IOException;
    }

    public Extractor(DecodingSession session, Tokenizer tokenizer, int maxNewTokens, boolean reusePrefix) {
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

    /** Sentences decoded together: every sequence but the prefix's, or 1 in a one-sequence session. */
    public int inFlight() {
        return Math.max(1, session.sequences() - 1);
    }

    /** The answer to one prompt. */
    public Output extract(String prompt) throws java.io.IOException {
        Output[] out = new Output[1];
        extractAll(List.of(prompt), (i, o) -> out[0] = o);
        return out[0];
    }

    /** Answers every prompt, up to {@link #inFlight} at a time. */
    public void extractAll(List<String> prompts, Sink sink) throws java.io.IOException {
        ArrayDeque<Integer> waiting = new ArrayDeque<>();
        for (int i = 0; i < prompts.size(); i++) waiting.add(i);
        int slots = inFlight();
        Sequence[] active = new Sequence[slots];
        int[] seqs = new int[slots], tokens = new int[slots], positions = new int[slots], rows = new int[slots];
        while (true) {
            refill(active, waiting, prompts, sink);
            int n = 0;
            for (int s = 0; s < slots; s++) {
                if (active[s] == null) continue;
                seqs[n] = active[s].sequence;
                tokens[n] = active[s].next;
                positions[n] = active[s].position;
                rows[n++] = s;
            }
            if (n == 0) return;
            long t0 = System.nanoTime();
            float[] logits = session.decode(seqs, tokens, positions, n);
            int vocab = session.config().vocabSize();
            for (int r = 0; r < n; r++) {
                Sequence q = active[rows[r]];
                q.advance(logits, r * vocab, vocab);
                if (session.sequences() == 1) remember(tokens[r], q.position - 1);
                if (!q.take(tokenizer, maxNewTokens, seqLen)) {
                    active[rows[r]] = null;
                    finish(q, sink);
                }
            }
            timings.addDecode(System.nanoTime() - t0, n);
        }
    }

    /**
     * Starts waiting prompts in the free slots: each takes its share of the kept prefix, then all
     * their remaining tokens are prefilled in shared passes. A prompt whose answer is complete at
     * once (EOS first) finishes and its slot is filled again.
     */
    private void refill(Sequence[] active, ArrayDeque<Integer> waiting, List<String> prompts, Sink sink) throws java.io.IOException {
        while (!waiting.isEmpty()) {
            List<Sequence> started = new java.util.ArrayList<>();
            List<int[]> tails = new java.util.ArrayList<>();
            for (int s = 0; s < active.length && !waiting.isEmpty(); s++) {
                if (active[s] != null) continue;
                int index = waiting.poll();
                int[] tokens = PromptTruncation.apply(tokenizer.encode(prompts.get(index), true, false), Math.max(1, seqLen - Math.min(maxNewTokens, seqLen / 4)));
                Sequence q = new Sequence(index, session.sequences() == 1 ? 0 : s + 1, tokens.length, reuse(tokens, session.sequences() == 1 ? 0 : s + 1), tokens[tokens.length - 1]);
                active[s] = q;
                started.add(q);
                tails.add(Arrays.copyOfRange(tokens, q.reused, tokens.length));
                if (q.sequence == 0) remember(tokens, tokens.length);
            }
            if (started.isEmpty()) return;
            int[] seqs = new int[started.size()], starts = new int[started.size()];
            int prefilled = 0;
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = started.get(i).sequence;
                starts[i] = started.get(i).reused;
                prefilled += tails.get(i).length;
            }
            long t0 = System.nanoTime();
            float[] logits = session.prefillMany(seqs, tails.toArray(int[][]::new), starts);
            timings.addPrefill(System.nanoTime() - t0, prefilled);
            int vocab = session.config().vocabSize();
            for (int i = 0; i < seqs.length; i++) {
                Sequence q = started.get(i);
                q.next = Sampler.argmax(logits, i * vocab, vocab);
                if (!q.take(tokenizer, maxNewTokens, seqLen)) {
                    for (int s = 0; s < active.length; s++) if (active[s] == q) active[s] = null;
                    finish(q, sink);
                }
            }
        }
    }

    /**
     * How many leading tokens {@code sequence} takes from the kept prefix (copied into its cache).
     * A prompt sharing less than half with it starts a new kept prefix (the next job's), computed here.
     */
    private int reuse(int[] tokens, int sequence) {
        if (!reusePrefix) return 0;
        int reused = Math.min(commonPrefix(tokens), tokens.length - 1);
        if (sequence != 0 && reused < (tokens.length - 1) / 2) {
            long t0 = System.nanoTime();
            session.prefill(0, Arrays.copyOf(tokens, tokens.length - 1), 0);
            timings.addPrefill(System.nanoTime() - t0, tokens.length - 1);
            remember(tokens, tokens.length - 1);
            reused = tokens.length - 1;
        }
        session.copyPrefix(0, sequence, reused);
        return reused;
    }

    private void finish(Sequence q, Sink sink) throws java.io.IOException {
        sink.accept(q.index, q.output());
    }

    private int commonPrefix(int[] tokens) {
        int n = Math.min(prefixLength, tokens.length), i = 0;
        while (i < n && prefix[i] == tokens[i]) i++;
        return i;
    }

    private void remember(int[] tokens, int length) {
        if (prefix.length < length) prefix = Arrays.copyOf(tokens, Math.max(length, 2 * prefix.length));
        else System.arraycopy(tokens, 0, prefix, 0, length);
        prefixLength = length;
    }

    /** In a one-sequence session the generated tokens follow the prompt in the cache: they count for the next prompt's reuse. */
    private void remember(int token, int pos) {
        if (pos >= prefix.length) prefix = Arrays.copyOf(prefix, Math.max(pos + 1, 2 * prefix.length));
        prefix[pos] = token;
        prefixLength = pos + 1;
    }

    /** A prompt being answered: its sequence, the position the next token goes to, and the text so far. */
    private static final class Sequence {
        final int index, sequence, promptTokens, reused;
        int position, previous, next, generated;
        /** Quote characters at the end of the text so far: three end the answer. */
        int trailingQuotes;
        final ByteArrayOutputStream text = new ByteArrayOutputStream();

        Sequence(int index, int sequence, int promptTokens, int reused, int previous) {
            this.index = index;
            this.sequence = sequence;
            this.promptTokens = promptTokens;
            this.reused = reused;
            this.position = promptTokens;
            this.previous = previous;
        }

        /**
         * Takes the pending greedy token into the answer; false when the answer is complete (EOS,
         * {@code """}, the limit or the end of the context), true when the token must be fed next.
         */
        boolean take(Tokenizer tok, int maxNewTokens, int seqLen) {
            if (next == tok.eosId()) return false;
            generated++;
            byte[] piece = tok.decode(previous, next);
            text.writeBytes(piece);
            for (byte b : piece) {
                trailingQuotes = b == QUOTE ? trailingQuotes + 1 : 0;
                if (trailingQuotes == 3) return false;
            }
            return generated < maxNewTokens && position < seqLen;
        }

        /** The fed token went in at {@code position}; the logits row gives the next one. */
        void advance(float[] logits, int offset, int vocab) {
            previous = next;
            next = Sampler.argmax(logits, offset, vocab);
            position++;
        }

        Output output() {
            String out = text.toString(StandardCharsets.UTF_8);
            int stop = out.indexOf("\"\"\"");
            return new Output(stop >= 0 ? out.substring(0, stop) : out, promptTokens, reused, generated);
        }
    }
}

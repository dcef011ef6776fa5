package org.knowcoder.model.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.function.Predicate;

/**
 * The decoding loop of every command: many prompts on one {@link DecodingSession}, each prefilled,
 * then advanced one token at a time until its {@link Request} says it is complete or the context
 * ends. What a token means (text, a stop string, a limit) is the request's business.
 *
 * <p>Two things make many prompts cheap. The prompt prefix they share is computed once: sequence 0
 * of the session holds it, and each prompt copies the part it shares (compared token by token, so it
 * is exact whatever the tokenizer does at the boundary) instead of recomputing it; another sequence
 * whose cache holds a longer share (a prompt in flight, or one answered whose slot is not reused
 * yet) serves as the source instead, so that requests of several kinds
 * mixed in one queue (a server's extractions of two schemas, or extractions and completions) do not
 * make sequence 0 switch between their prefixes at every arrival; the copies remember their source,
 * and attention reads the shared part from it once for all of them. And the other sequences are
 * decoded together, one token of every prompt in flight per step, so each weight is read once per
 * step for all of them; the prompts that start meanwhile have their tails prefilled in the same pass
 * where the session packs prompts ({@link DecodingSession#packsPrompts}: a server's requests arrive
 * between nearly every two steps, and a pass of their own would read every weight again for a few
 * rows). A session of one sequence runs one prompt at a time and keeps its prefix in place.
 */
public final class BatchDecoder {
    /** One prompt being answered: how its next token is chosen and when it is complete. */
    public interface Request {
        /** The prompt's ids, BOS first; at most the model's context. */
        int[] prompt();

        /**
         * The next token from this request's row of logits, logits[offset, offset + vocab). A request
         * under a {@link TokenConstraint} holds its own (its sequence's state) and chooses among what it allows.
         */
        int choose(float[] logits, int offset, int vocab);

        /** Takes the chosen token: true when it is to be fed (the answer goes on), false when the answer is complete. */
        boolean accept(int token);
    }

    /** Receives each request as it completes. */
    @FunctionalInterface
    public interface Done<R extends Request> {
        void accept(R request) throws java.io.IOException;
    }

    /** Where decoding time goes: prompt tokens prefilled and tokens decoded, with their nanoseconds. */
    public static final class Stats {
        private long prefillNanos, decodeNanos, prefilledTokens, decodedTokens;

        public long prefillNanos() { return prefillNanos; }
        public long decodeNanos() { return decodeNanos; }
        public long prefilledTokens() { return prefilledTokens; }
        public long decodedTokens() { return decodedTokens; }
    }

    private final DecodingSession session;
    private final boolean reusePrefix;
    private final int seqLen, vocab;
    /** Token ids whose keys and values sequence 0's cache holds, position by position. */
    private int[] prefix = new int[0];
    private int prefixLength;
    /** The prompt each other sequence's cache holds from position 0; null while it is being filled. */
    private final int[][] held;
    /** A pass's rows: sequence, token fed (a decoding step's) and position, reused from step to step. */
    private final int[] seqs, tokens, positions;
    private final Stats stats = new Stats();
    private final DecoderLoad load;

    public BatchDecoder(DecodingSession session, boolean reusePrefix) {
        this.session = session;
        this.reusePrefix = reusePrefix;
        this.seqLen = session.config().seqLen();
        this.vocab = session.config().vocabSize();
        this.held = new int[session.sequences()][];
        this.seqs = new int[inFlight()];
        this.tokens = new int[inFlight()];
        this.positions = new int[inFlight()];
        this.load = new DecoderLoad(inFlight());
    }

    public Stats stats() {
        return stats;
    }

    /** What the decoder is doing now and has done, readable from any thread. */
    public DecoderLoad load() {
        return load;
    }

    /** Prompts decoded together: every sequence but the prefix's, or 1 in a one-sequence session. */
    public int inFlight() {
        return Math.max(1, session.sequences() - 1);
    }

    /**
     * The prompt prefix kept in sequence 0 (its tokens, keys and values), for a later decoder's
     * {@link #keep}; null when none is kept or the session cannot give it out. Between runs only.
     */
    public KvPrefix kept() {
        return prefixLength == 0 ? null : session.prefix(0, Arrays.copyOf(prefix, prefixLength));
    }

    /**
     * Keeps {@code p} in sequence 0 as if this decoder had computed it, so that prompts that begin
     * with its tokens take them from it; false when prefixes are not reused, the session cannot take
     * it, or it leaves no room in the context. Between runs only.
     */
    public boolean keep(KvPrefix p) {
        if (!reusePrefix || p.length() == 0 || p.length() >= seqLen || !session.restore(0, p)) return false;
        remember(p.tokens(), p.length());
        return true;
    }

    /** Answers every request, up to {@link #inFlight} at a time; {@code done} gets each as it completes. */
    public <R extends Request> void run(List<R> requests, Done<R> done) throws java.io.IOException {
        run(new ArrayDeque<>(requests), done);
    }

    /**
     * Answers requests taken from {@code waiting} until it is empty and none is in flight. Free slots
     * are filled before every step, so a request another thread adds to a concurrent queue while
     * others decode joins them at the next step; only this thread may take from the queue.
     */
    public <R extends Request> void run(Queue<R> waiting, Done<R> done) throws java.io.IOException {
        run(waiting, r -> false, done);
    }

    /**
     * As {@link #run(Queue, Done)}, and a request for which {@code cancelled} holds (tested by this
     * thread before every step) is dropped, waiting or in flight: its slot goes to the next request
     * at once rather than decoding on for nobody, and {@code done} never gets it.
     */
    public <R extends Request> void run(Queue<R> waiting, Predicate<? super R> cancelled, Done<R> done) throws java.io.IOException {
        int slots = inFlight();
        List<Active<R>> active = new ArrayList<>(java.util.Collections.nCopies(slots, null));
        int[] fresh = new int[slots], going = new int[slots], all = new int[slots];
        try {
            while (true) {
                for (int s = 0; s < slots; s++) if (active.get(s) != null && cancelled.test(active.get(s).request)) active.set(s, null);
                start(active, waiting, cancelled);
                int started = 0, on = 0;
                for (int s = 0; s < slots; s++) {
                    Active<R> a = active.get(s);
                    if (a == null) continue;
                    if (a.tail != null) fresh[started++] = s;
                    else going[on++] = s;
                    all[started + on - 1] = s;
                }
                load.active(started + on);
                if (started + on == 0) return;
                if (started == 0 || on == 0 || session.packsPrompts()) {
                    pass(active, all, started + on, done);
                } else { // a pass of its own for each: one prompt per pass would read every weight per request in flight
                    pass(active, fresh, started, done);
                    pass(active, going, on, done);
                }
            }
        } finally {
            load.active(0);
        }
    }

    /**
     * One pass over the requests in slots[0, n): the tails of those just started (prefilled) and the
     * next tokens of the others (one token each: a decoding step, or with prompts one-token prompts of
     * the same pass); each chooses its next token from its row of logits.
     */
    private <R extends Request> void pass(List<Active<R>> active, int[] slots, int n, Done<R> done) throws java.io.IOException {
        int started = 0, prompted = 0;
        for (int r = 0; r < n; r++) {
            Active<R> a = active.get(slots[r]);
            seqs[r] = a.sequence;
            if (a.tail != null) {
                positions[r] = a.reused;
                started++;
                prompted += a.tail.length;
            } else {
                tokens[r] = a.next;
                positions[r] = a.position;
            }
        }
        long t0 = System.nanoTime();
        float[] logits;
        if (started == 0) {
            logits = session.decode(seqs, tokens, positions, n);
        } else {
            int[][] prompts = new int[n][];
            for (int r = 0; r < n; r++) {
                Active<R> a = active.get(slots[r]);
                prompts[r] = a.tail != null ? a.tail : new int[] {a.next};
            }
            logits = session.prefillMany(Arrays.copyOf(seqs, n), prompts, Arrays.copyOf(positions, n));
        }
        if (n > started) load.stepped(n - started);
        load.chosen(n);
        for (int r = 0; r < n; r++) {
            Active<R> a = active.get(slots[r]);
            if (a.tail != null) { // its whole prompt is in its cache now
                if (a.sequence == 0) remember(a.prompt, a.prompt.length);
                else held[a.sequence] = a.prompt;
                a.tail = null;
            } else {
                if (session.sequences() == 1) remember(tokens[r], a.position);
                a.position++;
            }
            if (!a.take(a.request.choose(logits, r * vocab, vocab), seqLen)) {
                active.set(slots[r], null);
                done.accept(a.request);
            }
        }
        // a pass of prompts and decoded tokens: its time split between them by rows (an estimate)
        long spent = System.nanoTime() - t0, prefill = spent * prompted / (prompted + n - started);
        stats.prefillNanos += prefill;
        stats.prefilledTokens += prompted;
        stats.decodeNanos += spent - prefill;
        stats.decodedTokens += n - started;
    }

    /**
     * Starts waiting requests in the free slots: each goes to the free slot whose cache holds most of
     * its prompt and takes its share from the best source ({@link #reuse}); the rest of its prompt,
     * its tail, is prefilled in the next pass, together with the next tokens of the requests in flight.
     */
    private <R extends Request> void start(List<Active<R>> active, Queue<R> waiting, Predicate<? super R> cancelled) {
        int free = 0;
        for (Active<R> a : active) if (a == null) free++;
        while (free > 0 && !waiting.isEmpty()) {
            R request = waiting.poll();
            if (cancelled.test(request)) continue;
            int[] tokens = request.prompt().clone(); // what the cache will hold, whatever the request does with its array
            load.started(tokens.length);
            int s = slotFor(active, tokens), sequence = sequenceOf(s);
            R next = waiting.peek();
            Active<R> a = new Active<>(request, tokens, sequence, reuse(tokens, sequence, next == null ? null : next.prompt()));
            held[sequence] = null;
            if (sequence == 0) prefixLength = a.reused; // what stays valid until this prompt is prefilled
            active.set(s, a);
            free--;
        }
    }

    /** The session sequence of slot s: the slot itself in a one-sequence session, after the kept prefix's otherwise. */
    private int sequenceOf(int s) {
        return session.sequences() == 1 ? 0 : s + 1;
    }

    /** The free slot whose cache holds the longest share of {@code tokens}; the first free one when none holds any. */
    private int slotFor(List<? extends Active<?>> active, int[] tokens) {
        int best = -1, shared = -1;
        for (int s = 0; s < active.size(); s++) {
            if (active.get(s) != null) continue;
            int[] h = held[sequenceOf(s)];
            int n = h == null ? 0 : common(h, h.length, tokens);
            if (n > shared) {
                shared = n;
                best = s;
            }
        }
        return best;
    }

    /**
     * How many leading tokens {@code sequence} takes from the kept prefix or from another sequence
     * whose cache holds more of them (copied into its cache). A prompt sharing less than half with
     * all of them starts a new kept prefix, computed here: the part it shares with {@code next}, the
     * prompt waiting after it (null when none waits: then all of it). That is the next job's schema
     * when a job begins, and the head KnowCoder's truncation keeps in every over-long prompt of a
     * job, whose tails differ ({@code PromptTruncation}); a prompt that shares no more with the next
     * than it takes already keeps the kept prefix as it is.
     */
    private int reuse(int[] tokens, int sequence, int[] next) {
        if (!reusePrefix) return 0;
        int from = 0, shared = common(prefix, prefixLength, tokens);
        for (int q = 1; q < held.length; q++) {
            if (held[q] == null) continue; // its own old prompt counts too: its cache still holds it
            int n = common(held[q], held[q].length, tokens);
            if (n > shared) {
                shared = n;
                from = q;
            }
        }
        int reused = Math.min(shared, tokens.length - 1);
        int keep = next == null ? tokens.length - 1 : Math.min(common(next, next.length, tokens), tokens.length - 1);
        if (sequence != 0 && reused < (tokens.length - 1) / 2 && keep > reused) {
            long t0 = System.nanoTime();
            prefixLength = 0; // until the prefill is done: a failed one leaves nothing to copy from
            session.prefill(0, Arrays.copyOf(tokens, keep), 0);
            stats.prefillNanos += System.nanoTime() - t0;
            stats.prefilledTokens += keep;
            remember(tokens, keep);
            from = 0;
            reused = keep;
        }
        if (from != sequence) session.copyPrefix(from, sequence, reused);
        return reused;
    }

    /** How many leading tokens the first {@code length} of {@code held} and {@code tokens} have in common. */
    private static int common(int[] held, int length, int[] tokens) {
        int n = Math.min(length, tokens.length), i = 0;
        while (i < n && held[i] == tokens[i]) i++;
        return i;
    }

    private void remember(int[] tokens, int length) {
        if (prefix.length < length) prefix = Arrays.copyOf(tokens, Math.max(length, 2 * prefix.length));
        else System.arraycopy(tokens, 0, prefix, 0, length);
        prefixLength = length;
    }

    /** In a one-sequence session the fed tokens follow the prompt in the cache: they count for the next prompt's reuse. */
    private void remember(int token, int pos) {
        if (pos >= prefix.length) prefix = Arrays.copyOf(prefix, Math.max(pos + 1, 2 * prefix.length));
        prefix[pos] = token;
        prefixLength = pos + 1;
    }

    /** A request in flight: its sequence, the position its next token goes to, and that token. */
    private static final class Active<R extends Request> {
        final R request;
        /** The prompt as it was prefilled. */
        final int[] prompt;
        final int sequence, reused;
        /** The prompt's tokens past what was reused, until a pass has prefilled them; then null. */
        int[] tail;
        int position, next;

        Active(R request, int[] prompt, int sequence, int reused) {
            this.request = request;
            this.prompt = prompt;
            this.sequence = sequence;
            this.reused = reused;
            this.tail = Arrays.copyOfRange(prompt, reused, prompt.length);
            this.position = prompt.length;
        }

        /** The request takes the chosen token; true when it is to be fed, which the context must also allow. */
        boolean take(int token, int seqLen) {
            next = token;
            return request.accept(token) && position < seqLen;
        }
    }
}

package org.knowcoder.ie.text;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Runs inputs through extraction with a bounded number in flight (so a file of any size streams),
 * handing the results to a sink in input order, skipping inputs already done (a resumed run),
 * stopping after a limit, with a progress line at most every five seconds: inputs and sentences
 * done, sentences/s, and an ETA when the number of inputs is known.
 *
 * @param <R> the result type
 */
public final class TextRun<R> {
    /** Receives each result, in input order. */
    @FunctionalInterface
    public interface Sink<R> {
        void accept(R result) throws IOException;
    }

    /** What a run did: inputs extracted now, inputs skipped as done, sentences, and wall time. */
    public record Summary(int extracted, int skipped, long sentences, long nanos) {}

    private final Function<TextInput, CompletableFuture<R>> extract;
    private final ToIntFunction<R> sentences;
    private final int window;
    private final Consumer<String> progress;

    /**
     * @param window    inputs in flight at most (enough to fill the batch; each may hold many prompts)
     * @param progress  progress lines, or null for none
     */
    public TextRun(Function<TextInput, CompletableFuture<R>> extract, ToIntFunction<R> sentences, int window, Consumer<String> progress) {
        this.extract = extract;
        this.sentences = sentences;
        this.window = Math.max(1, window);
        this.progress = progress;
    }

    /**
     * @param done  ids of inputs already extracted, skipped
     * @param limit inputs to extract at most (0: all)
     * @param total inputs the source holds, for the ETA; -1 when unknown (standard input)
     */
    public Summary run(Iterator<TextInput> inputs, Set<String> done, int limit, long total, Sink<R> sink) throws IOException {
        long start = System.nanoTime(), lastReport = start;
        ArrayDeque<CompletableFuture<R>> inFlight = new ArrayDeque<>();
        int submitted = 0, extracted = 0, skipped = 0;
        long sentenceCount = 0;
        while (true) {
            boolean more = (limit == 0 || submitted < limit) && inputs.hasNext();
            if (more && inFlight.size() < window) {
                TextInput in = inputs.next();
                if (done.contains(in.id())) {
                    skipped++;
                } else {
                    inFlight.add(extract.apply(in));
                    submitted++;
                }
                continue;
            }
            if (inFlight.isEmpty()) break;
            R result = join(inFlight.poll());
            sink.accept(result);
            extracted++;
            sentenceCount += sentences.applyAsInt(result);
            long now = System.nanoTime();
            if (progress != null && (now - lastReport >= 5_000_000_000L || (!more && inFlight.isEmpty()))) {
                lastReport = now;
                progress.accept(line(extracted, skipped, sentenceCount, total, limit, (now - start) / 1e9));
            }
        }
        return new Summary(extracted, skipped, sentenceCount, System.nanoTime() - start);
    }

    private static String line(int extracted, int skipped, long sentences, long total, int limit, double seconds) {
        double rate = sentences / Math.max(seconds, 1e-9), inputsPerSecond = extracted / Math.max(seconds, 1e-9);
        long goal = total < 0 ? -1 : limit > 0 ? Math.min(total, limit + skipped) : total;
        String of = goal < 0 ? "" : " of " + goal;
        String eta = goal < 0 ? "" : String.format(Locale.ROOT, ", ETA %.0f s", (goal - extracted - skipped) / Math.max(inputsPerSecond, 1e-9));
        return String.format(Locale.ROOT, "%d%s inputs done (%d skipped), %d sentences, %.2f sentences/s%s",
                extracted + skipped, of, skipped, sentences, rate, eta);
    }

    /** The result, or the failure that ended it as the exception it was (a bad input stays a bad input). */
    private static <R> R join(CompletableFuture<R> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new java.io.UncheckedIOException(new IOException(e.getCause()));
        }
    }
}

package org.knowcoder.ie.text;

import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.extract.Continuation;
import org.knowcoder.ie.extract.Extractor;
import org.knowcoder.model.session.BatchDecoder;
import org.knowcoder.model.session.DecoderLoad;

import java.io.IOException;
import java.util.AbstractQueue;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One model shared by any number of calling threads: their prompts go to queues, and one
 * decoding thread answers them with the {@link Extractor}, filling every free slot of the batch
 * before each step. So concurrent requests are decoded together, not one after another, and a
 * prompt that arrives mid-batch joins it at the next step. There is a queue per prompt group (one
 * query's prompts; all continuations are one group), and a free slot takes the next prompt of the
 * group it took from last while that group has any: the decoder keeps one shared prefix, and
 * prompts of different queries taken in turns would make it compute each query's prefix again and
 * again. Only then does it take another group's, so no group waits for another to drain (a server's
 * steady stream of one query's prompts would otherwise starve every other query and completion).
 * Cancelling a returned future drops its prompt before the next step, whether it is waiting or
 * being decoded, so that its slot goes to another.
 */
public final class DecodeQueue implements TextModel, AutoCloseable {
    /** The group of every continuation: their prompts share no prefix a group would keep, and they must not wait for one another. */
    private static final Object CONTINUATIONS = new Object();

    private final Extractor extractor;
    private final Map<Object, ConcurrentLinkedQueue<BatchDecoder.Request>> groups = new ConcurrentHashMap<>();
    /** Requests not yet done, by identity; one that leaves (its future cancelled) is dropped by the decoder. */
    private final Map<BatchDecoder.Request, Pending<?>> pending = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private final Waiting waiting = new Waiting();
    private final Thread decoder;
    private volatile boolean closed;

    /** A request's future and how to read its result once the decoder is done with it. */
    private record Pending<T>(CompletableFuture<T> future, Supplier<T> result) {
        void finish() {
            try {
                future.complete(result.get());
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }
    }

    public DecodeQueue(Extractor extractor) {
        this.extractor = extractor;
        this.decoder = Thread.ofPlatform().name("knowcoder-decoder").daemon().start(this::decode);
    }

    @Override
    public CompletableFuture<String> answer(Object group, String prompt, ResultsGrammar grammar, Consumer<String> stream) {
        // the queue knows its requests by identity: the index is the extractor's batch runs' business
        Extractor.Answer a = extractor.answer(0, prompt, grammar, stream);
        return enqueue(group, a, () -> a.output().text());
    }

    /** Decodes {@code c} (from {@link Extractor#continuation}) with every other request in flight. */
    public CompletableFuture<Continuation.Result> continuation(Continuation c) {
        return enqueue(CONTINUATIONS, c, c::result);
    }

    /** What the decoder is doing, readable from any thread. */
    public DecoderLoad load() {
        return extractor.load();
    }

    private <T> CompletableFuture<T> enqueue(Object group, BatchDecoder.Request request, Supplier<T> result) {
        if (closed) throw new IllegalStateException("the model is closed");
        CompletableFuture<T> future = new CompletableFuture<>();
        pending.put(request, new Pending<>(future, result));
        future.whenComplete((x, e) -> pending.remove(request)); // cancelled: the decoder drops it at its next step
        groups.computeIfAbsent(group, g -> new ConcurrentLinkedQueue<>()).add(request);
        synchronized (signal) {
            signal.notifyAll();
        }
        return future;
    }

    @Override
    public int tokens(String text) {
        return extractor.tokenizer().encode(text, false, false).length;
    }

    @Override
    public int promptRoom() {
        return extractor.promptRoom();
    }

    /** The decoding thread: waits for prompts, answers them (and those that join them meanwhile) until none is left, waits again. */
    private void decode() {
        while (true) {
            synchronized (signal) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            if (closed) return;
            try {
                extractor.decode(waiting, r -> !pending.containsKey(r), r -> {
                    Pending<?> p = pending.remove(r);
                    if (p != null) p.finish();
                });
            } catch (IOException | RuntimeException | Error e) {
                // the batch in flight is lost: its callers (and any waiting) get the failure rather than a hang
                failAll(e);
                groups.values().forEach(ConcurrentLinkedQueue::clear);
            }
        }
    }

    private ConcurrentLinkedQueue<BatchDecoder.Request> nonEmptyGroup() {
        for (ConcurrentLinkedQueue<BatchDecoder.Request> q : groups.values()) if (!q.isEmpty()) return q;
        return null;
    }

    /**
     * Every group's waiting prompts as the decoder's one queue: the group taken from last first.
     * Other threads add to the groups; only the decoding thread takes, so a queue that is not empty
     * has a prompt for the next poll.
     */
    private final class Waiting extends AbstractQueue<BatchDecoder.Request> {
        private ConcurrentLinkedQueue<BatchDecoder.Request> current;

        @Override
        public BatchDecoder.Request poll() {
            if (current == null || current.isEmpty()) current = nonEmptyGroup();
            return current == null ? null : current.poll();
        }

        @Override
        public BatchDecoder.Request peek() {
            ConcurrentLinkedQueue<BatchDecoder.Request> q = current == null || current.isEmpty() ? nonEmptyGroup() : current;
            return q == null ? null : q.peek();
        }

        @Override
        public boolean isEmpty() {
            return nonEmptyGroup() == null;
        }

        @Override
        public int size() {
            return groups.values().stream().mapToInt(ConcurrentLinkedQueue::size).sum();
        }

        /** Prompts come in by {@link #enqueue}, to their group. */
        @Override
        public boolean offer(BatchDecoder.Request r) {
            throw new UnsupportedOperationException("prompts join their group's queue");
        }

        @Override
        public Iterator<BatchDecoder.Request> iterator() {
            return groups.values().stream().flatMap(ConcurrentLinkedQueue::stream).iterator();
        }
    }

    private void failAll(Throwable e) {
        for (BatchDecoder.Request r : pending.keySet()) {
            Pending<?> p = pending.remove(r);
            if (p != null) p.future.completeExceptionally(e);
        }
    }

    /** Whether the decoding thread has ended (after {@link #close}, unless that was interrupted first). */
    public boolean stopped() {
        return !decoder.isAlive();
    }

    /** Stops the decoding thread once the batch in flight is done; prompts still waiting fail. */
    @Override
    public void close() {
        closed = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        try {
            decoder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new IllegalStateException("the model was closed"));
    }
}

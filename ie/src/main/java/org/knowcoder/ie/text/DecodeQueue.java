package org.knowcoder.ie.text;

import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.extract.Extractor;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One model shared by any number of calling threads: their prompts go to queues, and one
 * decoding thread answers them with the {@link Extractor}, filling every free slot of the batch
 * before each step. So concurrent requests are decoded together, not one after another, and a
 * prompt that arrives mid-batch joins it at the next step. There is a queue per prompt group (one
 * query's prompts), drained one group at a time: the decoder keeps one shared prefix, and prompts
 * of different queries taken in turns would make it compute each query's prefix again and again.
 */
public final class DecodeQueue implements TextModel, AutoCloseable {
    private final Extractor extractor;
    private final Map<Object, ConcurrentLinkedQueue<Extractor.Answer>> groups = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Object signal = new Object();
    private final Thread decoder;
    private volatile boolean closed;

    public DecodeQueue(Extractor extractor) {
        this.extractor = extractor;
        this.decoder = Thread.ofPlatform().name("knowcoder-decoder").daemon().start(this::decode);
    }

    @Override
    public CompletableFuture<String> answer(Object group, String prompt, ResultsGrammar grammar, Consumer<String> stream) {
        if (closed) throw new IllegalStateException("the model is closed");
        int id = ids.getAndIncrement();
        CompletableFuture<String> answer = new CompletableFuture<>();
        pending.put(id, answer);
        groups.computeIfAbsent(group, g -> new ConcurrentLinkedQueue<>()).add(extractor.answer(id, prompt, grammar, stream));
        synchronized (signal) {
            signal.notifyAll();
        }
        return answer;
    }

    @Override
    public int tokens(String text) {
        return extractor.tokenizer().encode(text, false, false).length;
    }

    @Override
    public int promptRoom() {
        return extractor.promptRoom();
    }

    /** The decoding thread: waits for prompts, answers a group's (and those that join it meanwhile), takes the next group, waits again. */
    private void decode() {
        while (true) {
            ConcurrentLinkedQueue<Extractor.Answer> waiting;
            synchronized (signal) {
                while ((waiting = nonEmptyGroup()) == null && !closed) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            if (closed) return;
            try {
                extractor.run(waiting, (id, output) -> pending.remove(id).complete(output.text()));
            } catch (IOException | RuntimeException | Error e) {
                // the batch in flight is lost: its callers (and any waiting) get the failure rather than a hang
                for (Integer id : pending.keySet()) {
                    CompletableFuture<String> f = pending.remove(id);
                    if (f != null) f.completeExceptionally(e);
                }
                groups.values().forEach(ConcurrentLinkedQueue::clear);
            }
        }
    }

    private ConcurrentLinkedQueue<Extractor.Answer> nonEmptyGroup() {
        for (ConcurrentLinkedQueue<Extractor.Answer> q : groups.values()) if (!q.isEmpty()) return q;
        return null;
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
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("the model was closed")));
        pending.clear();
    }
}

package org.knowcoder.ie.trainingdata;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Maps work over batches of inputs on a fixed pool of threads and hands the results on in input
 * order, so the output is the same for any number of threads (each input's randomness must come
 * from the input itself, not from the thread or the order of completion). Memory stays at one batch.
 */
final class Batches<I, O> implements AutoCloseable {
    private final ExecutorService pool;
    private final int threads;
    private final Function<I, O> work;

    Batches(int threads, Function<I, O> work) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        this.threads = threads;
        this.work = work;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "build-data");
            t.setDaemon(true);
            return t;
        });
    }

    /** The results of a batch, in its order. */
    List<O> map(List<I> batch) {
        if (pool == null) return batch.stream().map(work).toList();
        int slice = (batch.size() + threads - 1) / threads;
        List<Future<List<O>>> parts = new ArrayList<>();
        for (int from = 0; from < batch.size(); from += slice) {
            List<I> part = batch.subList(from, Math.min(batch.size(), from + slice));
            parts.add(pool.submit(() -> part.stream().map(work).toList()));
        }
        List<O> out = new ArrayList<>(batch.size());
        try {
            for (Future<List<O>> f : parts) out.addAll(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}

package org.knowcoder.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one pool of worker threads. {@link #parallelFor} splits a range into one contiguous block
 * per thread; the calling thread runs block 0 itself, so a pool of n threads starts n - 1 workers.
 *
 * <p>Per-token decoding dispatches about a hundred small jobs, so handing a job over must cost
 * microseconds: idle workers spin on a volatile generation counter for a while before parking,
 * and nothing is allocated per dispatch (tasks are long-lived objects, not fresh lambdas).
 */
public final class WorkerPool implements AutoCloseable {

    /** A body run on the block [from, to) of a range by worker {@code worker} (0 = caller). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int worker, int from, int to);
    }

    private static final int SPIN_ITERATIONS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private final boolean[] parkedFlags;
    private volatile long generation;
    private volatile boolean closed;
    private RangeTask task;
    private int rangeSize;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;

    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parkedFlags = new boolean[threads];
        for (int i = 1; i < threads; i++) {
            int index = i;
            Thread t = new Thread(() -> workLoop(index), "knowcoder-worker-" + i);
            t.setDaemon(true);
            workers[i - 1] = t;
            t.start();
        }
    }

    /** A pool with one thread per available core. */
    public static WorkerPool allCores() {
        return new WorkerPool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over [0, size), split evenly across the threads; returns when all are done. */
    public void parallelFor(int size, RangeTask task) {
        if (threads == 1 || size <= 1) {
            if (size > 0) task.run(0, 0, size);
            return;
        }
        this.task = task;
        this.rangeSize = size;
        this.failure = null;
        pending.set(threads - 1);
        generation = generation + 1; // volatile write publishes task and rangeSize
        for (int i = 1; i < threads; i++) {
            if (parkedFlagVolatile(i)) LockSupport.unpark(workers[i - 1]);
        }
        Throwable callerFailure = null;
        try {
            runBlock(0);
        } catch (Throwable t) {
            callerFailure = t; // still wait: the workers must be done before the next dispatch
        }
        while (pending.get() != 0) Thread.onSpinWait();
        this.task = null;
        Throwable t = callerFailure != null ? callerFailure : failure;
        if (t != null) {
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new RuntimeException(t);
        }
    }

    private void runBlock(int worker) {
        int size = rangeSize;
        int from = (int) ((long) size * worker / threads);
        int to = (int) ((long) size * (worker + 1) / threads);
        if (from < to) task.run(worker, from, to);
    }

    private synchronized boolean parkedFlagVolatile(int i) {
        return parkedFlags[i];
    }

    private synchronized void setParked(int i, boolean v) {
        parkedFlags[i] = v;
    }

    private void workLoop(int index) {
        long seen = 0;
        while (true) {
            long g;
            int spins = 0;
            while ((g = generation) == seen && !closed) {
                if (++spins < SPIN_ITERATIONS) {
                    Thread.onSpinWait();
                } else {
                    setParked(index, true);
                    if (generation == seen && !closed) LockSupport.park(this);
                    setParked(index, false);
                    spins = 0;
                }
            }
            if (closed) return;
            seen = g;
            try {
                runBlock(index);
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }
}

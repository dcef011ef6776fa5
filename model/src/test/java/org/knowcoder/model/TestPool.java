package org.knowcoder.model;

import org.knowcoder.parallel.WorkerPool;

/** One two-thread pool for the model tests; its workers are daemon threads that park when idle, so it is never closed. */
public final class TestPool {
    private TestPool() {}

    public static final WorkerPool TWO_THREADS = new WorkerPool(2);
}

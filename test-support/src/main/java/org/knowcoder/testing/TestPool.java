package org.knowcoder.testing;

import org.knowcoder.parallel.WorkerPool;

/**
 * The two-thread pool tests share (the CI machine has two cores); its workers are daemon threads
 * that park when idle, so it is never closed. Tests of thread counts make pools of their own.
 */
public final class TestPool {
    private TestPool() {}

    public static final WorkerPool TWO_THREADS = new WorkerPool(2);
}

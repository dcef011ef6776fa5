package org.knowcoder.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one pool of worker threads. {@link #parallelFor} splits a range into a few contiguous
 * chunks per thread that the calling thread and the workers claim one at a time, so a pool of n
 * threads starts n - 1 workers.
 *
 * <p>Per-token decoding dispatches about a hundred small jobs, so handing a job over must cost
 * microseconds: idle workers spin on a volatile generation counter for a while before parking,
 * and nothing is allocated per dispatch (tasks are long-lived objects, not fresh lambdas). The spin
 * covers the gaps between one token's jobs (tens of microseconds); past that a worker yields its
 * core at each check, a few thousand times (milliseconds when nothing else wants the core, longer
 * when something does) before it parks, so that threads with other work (a
 * server's HTTP handlers and tokenizer, the JIT's compilers) run in the gap instead of waiting for
 * the spin to end: on 2 cores, a worker spinning through the serve loop's serial work held one of
 * them (57% of its samples under load), and yielding raised the answers per second from 64
 * clients by about a fifth.
 *
 * <p>Chunks are claimed, not assigned, because cores are often shared: when another process holds
 * a worker's core, the threads that are running take its chunks instead of waiting for it to be
 * scheduled (with fixed blocks, a 2-thread decode on a busy 2-core machine ran 6x slower than 1
 * thread). A claim is one CAS on a word holding the job's generation and the next chunk, so a
 * worker that wakes late cannot take a chunk of a newer job.
 */
public final class WorkerPool implements AutoCloseable {

    /** A body run on the block [from, to) of a range by worker {@code worker} (0 = caller). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int worker, int from, int to);
    }

    /** Yields of an idle worker after its spin and before it parks: about 3.5 ms on the development VM when no other thread wants the core. */
    private static final int IDLE_YIELDS = 2_500;
    /** Chunks per thread: enough for the running threads to absorb a descheduled one's share, few enough to keep claims cheap. */
    public static final int CHUNKS_PER_THREAD = 4; // and at most 65535 chunks: the claim word holds 16 bits
    /** Spins of a thread waiting (a caller for its job's claimed chunks, a worker for the next job) before it yields its core at each check. */
    private static final int WAIT_SPINS = 2_000;

    private final int threads;
    private final Thread[] workers;
    private final boolean[] parkedFlags;
    private volatile long generation;
    private volatile boolean closed;
    private RangeTask task;
    private int rangeSize;
    private int chunks;
    /**
     * The current job in one word: its generation (high 32 bits), its chunk count (16 bits) and its
     * next unclaimed chunk (low 16 bits). A late worker judges "anything left?" from this word alone,
     * never from fields the next job may already have overwritten.
     */
    private final AtomicLong claims = new AtomicLong();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile Throwable failure;

    public WorkerPool(int threads) {
        if (threads < 1 || threads > 0xFFFF / CHUNKS_PER_THREAD) {
            throw new IllegalArgumentException("threads must be between 1 and " + 0xFFFF / CHUNKS_PER_THREAD + ", got " + threads);
        }
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

    /** Runs {@code task} over [0, size) in contiguous chunks across the threads; returns when all are done. */
    public void parallelFor(int size, RangeTask task) {
        parallelFor(size, CHUNKS_PER_THREAD, task);
    }

    /**
     * As {@link #parallelFor(int, RangeTask)}, in {@code chunksPerThread} chunks per thread (1 to
     * {@value #CHUNKS_PER_THREAD}): fewer where a chunk's call costs more than the balance the
     * smaller last chunks give.
     */
    public void parallelFor(int size, int chunksPerThread, RangeTask task) {
        if (chunksPerThread < 1 || chunksPerThread > CHUNKS_PER_THREAD) {
            throw new IllegalArgumentException("chunks per thread must be between 1 and " + CHUNKS_PER_THREAD + ", got " + chunksPerThread);
        }
        if (threads == 1 || size <= 1) {
            if (size > 0) task.run(0, 0, size);
            return;
        }
        long g = generation + 1;
        this.task = task;
        this.rangeSize = size;
        this.chunks = Math.min(size, threads * chunksPerThread);
        this.failure = null;
        finished.set(0);
        claims.set((g & 0xFFFFFFFFL) << 32 | (long) chunks << 16);
        generation = g; // volatile write publishes task, rangeSize and chunks
        for (int i = 1; i < threads; i++) {
            if (parkedFlagVolatile(i)) LockSupport.unpark(workers[i - 1]);
        }
        runChunks(0, g);
        for (int spins = 0; finished.get() != chunks; spins++) {
            if (spins < WAIT_SPINS) Thread.onSpinWait();
            else Thread.yield();
        }
        this.task = null;
        Throwable t = failure;
        if (t != null) {
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new RuntimeException(t);
        }
    }

    /**
     * Claims and runs chunks of job {@code g} until none is left. A failure is kept for the caller
     * (written before the chunk counts as finished, so the caller sees it) and the chunk still counts.
     */
    private void runChunks(int worker, long g) {
        long tag = g & 0xFFFFFFFFL; // generations wrap in the claim word's 32 bits
        while (true) {
            long c = claims.get();
            int n = (int) (c >>> 16) & 0xFFFF, chunk = (int) c & 0xFFFF;
            if (c >>> 32 != tag || chunk >= n) return;
            if (!claims.compareAndSet(c, c + 1)) continue;
            // the claim succeeded, so job g is unfinished and its fields cannot have been replaced
            int size = rangeSize;
            try {
                int from = chunkStart(size, chunk, n), to = chunkStart(size, chunk + 1, n);
                if (from < to) task.run(worker, from, to);
            } catch (Throwable t) {
                if (failure == null) failure = t;
            } finally {
                finished.incrementAndGet();
            }
        }
    }

    /**
     * Where chunk {@code c} of {@code n} starts: chunks shrink from first to last (guided
     * scheduling), chunk c starting near size * (1 - ((n - c) / n)^2). The job ends when its last
     * chunk does, and the threads run out of chunks at different moments, so the last chunks should
     * be small: with equal chunks a thread waited for its partner's last chunk half a chunk on
     * average (1/16 of each matrix-vector product with 2 threads), with shrinking ones the last
     * chunk is about 1/n^2 of the range. The split depends only on size and n, so results do not
     * depend on which thread runs what.
     */
    static int chunkStart(int size, int c, int n) {
        long left = n - c, nn = (long) n * n;
        // the part after the chunk's start rounded up, so that small ranges still spread over the chunks
        return (int) (size - (size * left * left + nn - 1) / nn);
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
                if (++spins < WAIT_SPINS) {
                    Thread.onSpinWait();
                } else if (spins < WAIT_SPINS + IDLE_YIELDS) {
                    Thread.yield();
                } else {
                    setParked(index, true);
                    if (generation == seen && !closed) LockSupport.park(this);
                    setParked(index, false);
                    spins = 0;
                }
            }
            if (closed) return;
            seen = g;
            runChunks(index, g);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }
}

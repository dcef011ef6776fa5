package org.knowcoder.parallel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerPoolTest {

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void coversEveryIndexExactlyOnceInContiguousChunks(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            assertEquals(threads, pool.threads());
            for (int size : new int[] {0, 1, 2, 3, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(size, 1));
                AtomicIntegerArray busy = new AtomicIntegerArray(threads);
                pool.parallelFor(size, (worker, from, to) -> {
                    assertTrue(worker >= 0 && worker < threads && from < to, "chunk " + worker + " [" + from + ", " + to + ")");
                    // a worker index runs one chunk at a time, so per-worker scratch buffers stay private
                    assertEquals(0, busy.getAndIncrement(worker), "worker " + worker + " runs two chunks at once");
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                    busy.decrementAndGet(worker);
                });
                for (int i = 0; i < size; i++) assertEquals(1, hits.get(i), "size " + size + ", index " + i);
            }
        }
    }

    /** Chunks shrink towards the end, so the thread that finishes last waits least for the other. */
    @Test
    void chunksCoverTheRangeInOrderAndShrink() {
        for (int size : new int[] {8, 12, 192, 8000}) { // parallelFor never makes more chunks than indices
            int n = 8;
            assertEquals(0, WorkerPool.chunkStart(size, 0, n));
            assertEquals(size, WorkerPool.chunkStart(size, n, n));
            for (int c = 0; c < n; c++) {
                assertTrue(WorkerPool.chunkStart(size, c, n) <= WorkerPool.chunkStart(size, c + 1, n), "size " + size + " chunk " + c);
            }
            int first = WorkerPool.chunkStart(size, 1, n), last = size - WorkerPool.chunkStart(size, n - 1, n);
            assertTrue(last <= first, "size " + size + ": first chunk " + first + ", last " + last);
        }
        assertEquals(1, WorkerPool.chunkStart(2, 1, 2), "two indices over two chunks: one each");
    }

    @Test
    void propagatesAnExceptionThrownInAnyChunk() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> pool.parallelFor(10, (worker, from, to) -> {
                        if (from <= 7 && 7 < to) throw boom;
                    }));
            assertSame(boom, thrown);
            AssertionError error = new AssertionError("error");
            assertSame(error, assertThrows(AssertionError.class,
                    () -> pool.parallelFor(10, (worker, from, to) -> {
                        if (from == 0) throw error;
                    })));
            assertSumOfIndices(pool, 100); // still usable, and the old failure is not reported again
        }
    }

    @Test
    void aFailingChunkWaitsForTheOthers() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicBoolean slowDone = new AtomicBoolean();
            assertThrows(IllegalStateException.class, () -> pool.parallelFor(2, (worker, from, to) -> {
                if (from == 0) throw new IllegalStateException("fails first");
                sleep(100);
                slowDone.set(true);
            }));
            assertTrue(slowDone.get(), "parallelFor returned while a chunk was still running");
            assertSumOfIndices(pool, 2);
        }
    }

    /** A thread that does not get to run (here: a chunk that blocks) leaves the other chunks to the threads that do. */
    @Test
    void runningThreadsTakeTheChunksOfABusyOne() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray perWorker = new AtomicIntegerArray(2);
            pool.parallelFor(8, (worker, from, to) -> {
                perWorker.addAndGet(worker, to - from);
                if (worker == 1) sleep(300);
            });
            assertTrue(perWorker.get(0) >= 6, "the caller ran " + perWorker.get(0) + " of 8 indices while worker 1 was busy");
        }
    }

    @Test
    void canBeReusedForManyDispatches() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicLong total = new AtomicLong();
            for (int d = 0; d < 10_000; d++) {
                int size = 1 + d % 7;
                pool.parallelFor(size, (worker, from, to) -> {
                    for (int i = from; i < to; i++) total.addAndGet(i + 1);
                });
            }
            long expected = 0;
            for (int d = 0; d < 10_000; d++) {
                int size = 1 + d % 7;
                expected += (long) size * (size + 1) / 2;
            }
            assertEquals(expected, total.get());
        }
    }

    @Test
    void closeStopsTheWorkerThreads() throws InterruptedException {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        WorkerPool pool = new WorkerPool(3);
        Set<Thread> started = new HashSet<>(Thread.getAllStackTraces().keySet());
        started.removeAll(before);
        started.removeIf(t -> !t.getName().startsWith("knowcoder-worker-"));
        assertEquals(2, started.size(), "a pool of 3 starts 2 workers: " + started);
        assertSumOfIndices(pool, 50);
        pool.close();
        for (Thread t : started) {
            t.join(5_000);
            assertFalse(t.isAlive(), t.getName() + " still running after close");
        }
    }

    /** Fewer chunks per thread when asked (MatVec's 4-bit jobs): each index still once, in at most that many chunks per thread. */
    @Test
    void takesAGivenNumberOfChunksPerThread() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int per = 1; per <= WorkerPool.CHUNKS_PER_THREAD; per++) {
                AtomicIntegerArray hits = new AtomicIntegerArray(100);
                AtomicLong chunks = new AtomicLong();
                pool.parallelFor(100, per, (worker, from, to) -> {
                    chunks.incrementAndGet();
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i), per + " chunks per thread, index " + i);
                assertEquals(2L * per, chunks.get());
            }
            assertThrows(IllegalArgumentException.class, () -> pool.parallelFor(100, 0, (w, f, t) -> {}));
            assertThrows(IllegalArgumentException.class, () -> pool.parallelFor(100, WorkerPool.CHUNKS_PER_THREAD + 1, (w, f, t) -> {}));
        }
    }

    @Test
    void rejectsFewerThanOneThread() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }

    private static void assertSumOfIndices(WorkerPool pool, int size) {
        AtomicLong sum = new AtomicLong();
        pool.parallelFor(size, (worker, from, to) -> {
            for (int i = from; i < to; i++) sum.addAndGet(i);
        });
        assertEquals((long) size * (size - 1) / 2, sum.get());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

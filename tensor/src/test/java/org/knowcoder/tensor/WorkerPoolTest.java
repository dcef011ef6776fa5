package org.knowcoder.tensor;

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
    void coversEveryIndexExactlyOnceInContiguousBlocks(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            assertEquals(threads, pool.threads());
            for (int size : new int[] {0, 1, 2, 3, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(size, 1));
                AtomicIntegerArray ranOn = new AtomicIntegerArray(threads);
                pool.parallelFor(size, (worker, from, to) -> {
                    assertTrue(worker >= 0 && worker < threads && from < to, "block " + worker + " [" + from + ", " + to + ")");
                    assertEquals(0, ranOn.getAndIncrement(worker), "worker " + worker + " got a second block");
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < size; i++) assertEquals(1, hits.get(i), "size " + size + ", index " + i);
            }
        }
    }

    @Test
    void propagatesAnExceptionThrownInAWorker() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> pool.parallelFor(10, (worker, from, to) -> {
                        if (worker == 1) throw boom;
                    }));
            assertSame(boom, thrown);
            AssertionError error = new AssertionError("error");
            assertSame(error, assertThrows(AssertionError.class,
                    () -> pool.parallelFor(10, (worker, from, to) -> {
                        if (worker == 1) throw error;
                    })));
            assertSumOfIndices(pool, 100); // still usable, and the old failure is not reported again
        }
    }

    @Test
    void anExceptionInTheCallersBlockWaitsForTheOtherWorkers() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicBoolean workerDone = new AtomicBoolean();
            assertThrows(IllegalStateException.class, () -> pool.parallelFor(2, (worker, from, to) -> {
                if (worker == 0) throw new IllegalStateException("caller fails first");
                sleep(100);
                workerDone.set(true);
            }));
            assertTrue(workerDone.get(), "parallelFor returned while a worker was still running its block");
            assertSumOfIndices(pool, 2);
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

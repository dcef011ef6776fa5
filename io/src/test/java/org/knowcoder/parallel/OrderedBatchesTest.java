package org.knowcoder.parallel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OrderedBatchesTest {
    private static final List<Integer> INPUTS = IntStream.range(0, 1000).boxed().toList();

    /** Work whose result depends on its input only, as the mapper asks: a draw seeded by the input. */
    private static String work(int i) {
        return i + ":" + new SplittableRandom(i).nextInt(1_000_000);
    }

    @Test
    void anyThreadCountGivesTheSameResultsInInputOrder() {
        List<String> expected = INPUTS.stream().map(OrderedBatchesTest::work).toList();
        for (int threads : new int[] {1, 2, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                assertEquals(expected, OrderedBatches.map(pool, INPUTS, OrderedBatchesTest::work), threads + " threads");
                assertEquals(List.of(), OrderedBatches.map(pool, List.<Integer>of(), OrderedBatchesTest::work));
            }
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void aRuntimeExceptionReachesTheCallerAsThrown(int threads) {
        IllegalStateException thrown = new IllegalStateException("item 700");
        try (WorkerPool pool = new WorkerPool(threads)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> OrderedBatches.map(pool, INPUTS, i -> {
                if (i == 700) throw thrown;
                return i;
            }));
            assertSame(thrown, e);
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void aCheckedExceptionReachesTheCallerUnwrapped(int threads) {
        IOException thrown = new IOException("item 3");
        try (WorkerPool pool = new WorkerPool(threads)) {
            IOException e = assertThrows(IOException.class, () -> OrderedBatches.map(pool, INPUTS, i -> {
                if (i == 3) throw thrown;
                return i;
            }));
            assertSame(thrown, e);
        }
    }

    /** Items 999 (the last thread's block, often first to fail) and 10 fail: the caller always hears of 10. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void ofSeveralFailuresTheFirstInputsReachesTheCaller(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (int run = 0; run < 20; run++) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> OrderedBatches.map(pool, INPUTS, i -> {
                    if (i == 10 || i == 999) throw new IllegalStateException("item " + i);
                    return i;
                }));
                assertEquals("item 10", e.getMessage());
            }
        }
    }
}

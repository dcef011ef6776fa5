package org.knowcoder.tensor.autograd;

import org.junit.jupiter.api.Test;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.Rope;
import org.knowcoder.testing.TestPool;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/** Arrays handed back are handed out again as zeros, and dropped when unused; a reused tape computes what a fresh tape does. */
class FloatPoolTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    @Test
    void aFreeArrayGoesAfterKeptPassesWithoutUse() {
        FloatPool pool = new FloatPool();
        float[] a = pool.take(5);
        pool.give(a);
        for (int pass = 0; pass < FloatPool.KEPT_PASSES; pass++) pool.endPass(); // the last KEPT_PASSES did not use it: kept
        assertSame(a, pool.take(5));
        pool.give(a);
        for (int pass = 0; pass <= FloatPool.KEPT_PASSES; pass++) pool.endPass(); // one more: dropped
        assertNotSame(a, pool.take(5));
    }

    @Test
    void aRequestTakesAFreeArrayUpToHalfAsLongAgainZeroedAndNewArraysAreRoundedUp() {
        assertEquals(100, FloatPool.capacity(100));
        assertEquals(5888, FloatPool.capacity(5760)); // 90 rows of 64
        assertEquals(6144, FloatPool.capacity(6144));
        for (int n = 4096; n < 1 << 22; n += 997) {
            int c = FloatPool.capacity(n);
            assertTrue(c >= n && c <= n + n / 16, n + " -> " + c);
        }
        FloatPool pool = new FloatPool();
        float[] big = pool.take(6144);
        big[4000] = 3f;
        pool.give(big);
        float[] smaller = pool.take(5000);
        assertSame(big, smaller);
        assertArrayEquals(new float[5000], Arrays.copyOf(smaller, 5000)); // what was asked for is zeroed
        pool.give(smaller);
        assertNotSame(big, pool.take(4000)); // more than half as long again: a new array
        assertSame(big, pool.take(6144));
    }

    /**
     * Passes of 96, 93, 95 and 96 rows on one tape (the later ones on arrays longer than they ask
     * for, from the first) give the gradients of a fresh tape each.
     */
    @Test
    void aReusedTapeGivesTheGradientsOfAFreshOne() {
        Random rnd = new Random(5);
        int heads = 4, headDim = 16, dim = heads * headDim, vocab = 10, most = 96;
        float[] x0 = randomFloats(rnd, most * dim), w0 = randomFloats(rnd, dim * dim), c0 = randomFloats(rnd, vocab * dim);
        int[] targets = new int[most];
        float[] weights = new float[most];
        for (int t = 0; t < most; t++) {
            targets[t] = rnd.nextInt(vocab);
            weights[t] = 1;
        }
        Rope rope = new Rope(headDim, most, 10000f);
        Tape reused = new Tape(POOL);
        for (int rows : new int[] {96, 93, 95, 96}) {
            float[][] fresh = pass(new Tape(POOL), rows, x0, w0, c0, targets, weights, heads, dim, vocab, rope);
            float[][] got = pass(reused, rows, x0, w0, c0, targets, weights, heads, dim, vocab, rope);
            for (int i = 0; i < got.length; i++) assertArrayEquals(fresh[i], got[i], 0f, rows + " rows, result " + i);
            assertEquals(0, reused.pending());
        }
    }

    /** One forward and backward of {@code rows} rows: the loss and the gradients of x, w and c. */
    private static float[][] pass(Tape tape, int rows, float[] x0, float[] w0, float[] c0, int[] targets, float[] weights, int heads, int dim,
                                  int vocab, Rope rope) {
        Var x = Var.param("x", Arrays.copyOf(x0, rows * dim), rows, dim), w = Var.param("w", w0.clone(), dim, dim);
        Var c = Var.param("c", c0.clone(), vocab, dim);
        Var q = RotaryEmbedding.apply(tape, Linear.apply(tape, x, w), heads, rows, rope);
        Var h = CausalAttention.apply(tape, q, q, Linear.apply(tape, x, w), heads, heads, rows);
        Var y = Add.apply(tape, SiluGate.apply(tape, h, x), RmsNorm.apply(tape, h, Var.param("g", onesOf(dim), 1, dim), 1e-5f));
        Var loss = CrossEntropy.apply(tape, y, c, Arrays.copyOf(targets, rows), Arrays.copyOf(weights, rows), rows);
        float value = loss.value()[0];
        tape.backward(loss);
        return new float[][] {{value}, x.grad(), w.grad(), c.grad()};
    }

    private static float[] onesOf(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }
}

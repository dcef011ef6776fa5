package org.knowcoder.tensor.autograd;

import org.junit.jupiter.api.Test;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.Rope;
import org.knowcoder.testing.TestPool;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/** Arrays handed back are handed out again as zeros; a tape's second pass computes what a fresh tape does. */
class FloatPoolTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    @Test
    void anArrayHandedBackComesOutAgainZeroedAndUnusedSizesGoAtTheEndOfAPass() {
        FloatPool pool = new FloatPool();
        float[] a = pool.take(5);
        a[3] = 7f;
        pool.give(a);
        float[] again = pool.take(5);
        assertSame(a, again);
        assertArrayEquals(new float[5], again);
        pool.give(again);
        pool.endPass(); // size 5 was taken in this pass: kept
        assertSame(a, pool.take(5));
        pool.give(a);
        pool.endPass();
        pool.endPass(); // a pass without size 5: dropped
        assertNotSame(a, pool.take(5));
    }

    @Test
    void aReusedTapeGivesTheGradientsOfAFreshOne() {
        Random rnd = new Random(5);
        int heads = 2, headDim = 4, seq = 6, rows = 12, dim = heads * headDim, vocab = 10;
        float[] x0 = randomFloats(rnd, rows * dim), w0 = randomFloats(rnd, dim * dim), c0 = randomFloats(rnd, vocab * dim);
        int[] targets = new int[rows];
        float[] weights = new float[rows];
        for (int t = 0; t < rows; t++) {
            targets[t] = rnd.nextInt(vocab);
            weights[t] = 1;
        }
        Rope rope = new Rope(headDim, seq, 10000f);
        Tape reused = new Tape(POOL);
        float[][] first = null;
        for (int pass = 0; pass < 3; pass++) {
            Var x = Var.param("x", x0.clone(), rows, dim), w = Var.param("w", w0.clone(), dim, dim), c = Var.param("c", c0.clone(), vocab, dim);
            Tape tape = pass == 0 ? new Tape(POOL) : reused;
            Var q = RotaryEmbedding.apply(tape, Linear.apply(tape, x, w), heads, seq, rope);
            Var h = CausalAttention.apply(tape, q, q, Linear.apply(tape, x, w), heads, heads, seq);
            Var loss = CrossEntropy.apply(tape, SiluGate.apply(tape, h, x), c, targets, weights, rows);
            float value = loss.value()[0];
            tape.backward(loss);
            float[][] got = {{value}, x.grad(), w.grad(), c.grad()};
            if (first == null) first = got;
            for (int i = 0; i < got.length; i++) assertArrayEquals(first[i], got[i], 0f, "pass " + pass + ", result " + i);
        }
        assertEquals(0, reused.pending());
    }
}

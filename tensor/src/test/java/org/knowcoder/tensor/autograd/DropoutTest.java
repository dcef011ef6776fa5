package org.knowcoder.tensor.autograd;

import org.junit.jupiter.api.Test;
import org.knowcoder.testing.TestPool;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inverted dropout against its definition: about p of the elements zeroed, the rest scaled by 1 / (1 - p), backward through the same mask. */
class DropoutTest {
    private static final int ROWS = 1000, COLS = 1000;

    @Test
    void dropsAboutPAndScalesTheRest() {
        Tape tape = new Tape(TestPool.TWO_THREADS);
        float[] ones = new float[ROWS * COLS];
        Arrays.fill(ones, 1f);
        Var x = Var.param("x", ones, ROWS, COLS);
        Var y = Dropout.apply(tape, x, 0.1f, 7);
        int dropped = 0;
        float keep = 65536f / (65536 - Math.round(0.1f * 65536));
        for (int i = 0; i < ROWS * COLS; i++) { // a tape's arrays may be longer than their values
            if (y.value()[i] == 0) dropped++;
            else assertEquals(keep, y.value()[i]);
        }
        // a binomial count of 1e6 draws at p = 0.1: its standard deviation is 300
        assertEquals(100_000, dropped, 1_500);
        float[] out = Arrays.copyOf(y.value(), ROWS * COLS); // backward frees the tape's values
        float[] dy = new float[ROWS * COLS];
        Arrays.fill(dy, 2f);
        tape.backward(y, dy);
        for (int i = 0; i < ROWS * COLS; i++) assertEquals(2 * out[i], x.grad()[i]);
    }

    @Test
    void theSeedDecidesTheMask() {
        float[] v = new float[4096];
        Arrays.fill(v, 1f);
        Tape tape = new Tape(TestPool.TWO_THREADS);
        float[] a = Arrays.copyOf(Dropout.apply(tape, Var.param("a", v, 64, 64), 0.5f, 3).value(), v.length);
        float[] b = Arrays.copyOf(Dropout.apply(tape, Var.param("b", v, 64, 64), 0.5f, 3).value(), v.length);
        float[] c = Arrays.copyOf(Dropout.apply(tape, Var.param("c", v, 64, 64), 0.5f, 4).value(), v.length);
        assertArrayEquals(a, b);
        assertTrue(!Arrays.equals(a, c));
    }

    @Test
    void zeroIsTheIdentity() {
        Var x = Var.param("x", new float[] {1, 2, 3}, 1, 3);
        assertSame(x, Dropout.apply(new Tape(TestPool.TWO_THREADS), x, 0f, 1));
    }
}

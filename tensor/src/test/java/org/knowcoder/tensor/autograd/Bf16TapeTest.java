package org.knowcoder.tensor.autograd;

import org.junit.jupiter.api.Test;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.Rope;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.knowcoder.testing.TestPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/** A BF16 tape: every op's output is BF16-representable, the loss stays F32, gradients pass the rounding unchanged. */
class Bf16TapeTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;
    private final Random rnd = new Random(11);

    private static boolean bf16(float[] v) {
        for (float x : v) if ((Float.floatToRawIntBits(x) & 0xFFFF) != 0) return false;
        return true;
    }

    /** Random values: almost none BF16-representable. */
    private Var param(String name, int rows, int cols) {
        return Var.param(name, randomFloats(rnd, rows * cols), rows, cols);
    }

    /** Every op once, on inputs that are not BF16-representable (random F32 parameters). */
    private List<Var> everyOp(Tape t) {
        int heads = 2, headDim = 4, seq = 3, rows = 6, dim = heads * headDim;
        Var x = param("x", rows, dim), w = param("w", dim, dim), norm = param("norm", 1, dim), table = param("table", 5, dim);
        Rope rope = new Rope(headDim, seq, 10000f);
        List<Var> out = new ArrayList<>();
        out.add(Linear.apply(t, x, w));
        out.add(RmsNorm.apply(t, x, norm, 1e-5f));
        out.add(Embedding.apply(t, new int[] {0, 3, 4, 1, 2, 3}, table));
        out.add(RotaryEmbedding.apply(t, x, heads, seq, rope));
        out.add(CausalAttention.apply(t, x, param("k", rows, dim), param("v", rows, dim), heads, heads, seq));
        out.add(SiluGate.apply(t, x, param("u", rows, dim)));
        out.add(Add.apply(t, x, param("b", rows, dim), 0.5f));
        out.add(Gather.apply(t, x, new int[] {7, 6, 5, 4, 3, 2, 1, 0}));
        out.add(Dropout.apply(t, x, 0.25f, 3));
        out.add(Checkpoint.apply(t, x, (tape, in) -> Linear.apply(tape, in, w)));
        return out;
    }

    @Test
    void everyOpOutputIsBf16OnABf16TapeOnly() {
        for (Var y : everyOp(new Tape(POOL, true))) assertTrue(bf16(y.value()), y.name());
        for (Var y : everyOp(new Tape(POOL, false))) assertTrue(!bf16(y.value()), y.name() + " is rounded on an F32 tape");
    }

    @Test
    void logitsAreRoundedAndTheLossIsNot() {
        Var x = param("x", 4, 6), w = param("w", 9, 6);
        float[] weights = {1, 1, 0, 1};
        int[] targets = {1, 8, 0, 4};
        Tape tape = new Tape(POOL, true);
        Var logits = Linear.apply(tape, x, w);
        float expected = CrossEntropyTest.reference(tape, logits, targets, weights, 3).value()[0];
        assertTrue(!bf16(new float[] {expected}), "the loss of rounded logits is an F32 value");
        assertEquals(expected, CrossEntropy.apply(tape, x, w, targets, weights, 3).value()[0], 0f,
                "the loss of the logits a BF16 classifier gives");
    }

    @Test
    void gradientsPassTheRoundingUnchanged() {
        Var a = param("a", 3, 5), b = param("b", 3, 5);
        Tape tape = new Tape(POOL, true);
        Var y = Add.apply(tape, a, b, 2f);
        float[] seed = randomFloats(rnd, y.size());
        tape.backward(y, seed);
        assertArrayEquals(seed, a.grad(), 0f);
        float[] twice = new float[seed.length];
        for (int i = 0; i < seed.length; i++) twice[i] = 2f * seed[i];
        assertArrayEquals(twice, b.grad(), 0f);
    }
}

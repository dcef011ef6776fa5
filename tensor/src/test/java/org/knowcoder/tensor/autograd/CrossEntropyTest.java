package org.knowcoder.tensor.autograd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.ExpSum;
import org.knowcoder.testing.TestPool;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/**
 * The chunked classifier-and-loss op against the plain way: a {@link Linear} holding all the logits,
 * then the loss over them with its own backward ({@link #reference}), over batches of one chunk,
 * several, and a part chunk, on F32 and BF16 tapes. The same products in the same order, so the
 * loss and both gradients (starting empty) are equal to the bit.
 */
class CrossEntropyTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    @ParameterizedTest
    @ValueSource(ints = {1, 7, CrossEntropy.CHUNK, 2 * CrossEntropy.CHUNK + 37})
    void equalsTheClassifierThenTheLossOnWholeLogits(int rows) {
        for (boolean bf16 : new boolean[] {false, true}) {
            Random rnd = new Random(rows);
            int dim = 24, vocab = 70;
            float[] x0 = randomFloats(rnd, rows * dim), w0 = randomFloats(rnd, vocab * dim);
            int[] targets = new int[rows];
            float[] weights = new float[rows];
            for (int t = 0; t < rows; t++) {
                targets[t] = rnd.nextInt(vocab);
                weights[t] = t % 5 == 3 ? 0 : 1 + t % 2;
            }
            Var x = Var.param("x", x0.clone(), rows, dim), w = Var.param("w", w0.clone(), vocab, dim);
            Tape tape = new Tape(POOL, bf16);
            Var loss = CrossEntropy.apply(tape, x, w, targets, weights, 9f);
            float value = loss.value()[0];
            tape.backward(loss);

            Var rx = Var.param("x", x0.clone(), rows, dim), rw = Var.param("w", w0.clone(), vocab, dim);
            Tape plain = new Tape(POOL, bf16);
            Var expected = reference(plain, Linear.apply(plain, rx, rw), targets, weights, 9f);
            float expectedValue = expected.value()[0];
            plain.backward(expected);

            String at = rows + " rows, bf16 " + bf16;
            assertEquals(expectedValue, value, 0f, at);
            assertArrayEquals(rx.grad(), x.grad(), 0f, "dx, " + at);
            assertArrayEquals(rw.grad(), w.grad(), 0f, "dW, " + at);
        }
    }

    @Test
    void aFrozenClassifierGetsNoGradientAndTheSeedScalesTheRest() {
        Random rnd = new Random(3);
        int rows = 5, dim = 8, vocab = 11;
        float[] x0 = randomFloats(rnd, rows * dim);
        Var w = Var.constant("w", randomFloats(rnd, vocab * dim), vocab, dim);
        int[] targets = {1, 2, 3, 4, 5};
        float[] weights = {1, 1, 1, 1, 1};
        float[][] grads = new float[2][];
        for (int seed = 1; seed <= 2; seed++) {
            Var x = Var.param("x", x0.clone(), rows, dim);
            Tape tape = new Tape(POOL);
            tape.backward(CrossEntropy.apply(tape, x, w, targets, weights, 5f), new float[] {seed});
            grads[seed - 1] = x.grad();
        }
        assertNull(w.grad());
        for (int i = 0; i < grads[0].length; i++) assertEquals(2 * grads[0][i], grads[1][i], 0f, "dx[" + i + "]");
    }

    @Test
    void refusesATargetOutsideTheVocabularyAndAMismatchedClassifier() {
        Var x = Var.param("x", new float[8], 2, 4);
        Tape tape = new Tape(POOL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossEntropy.apply(tape, x, Var.param("w", new float[12], 3, 4), new int[] {0, 3}, new float[] {1, 1}, 2));
        assertEquals("target id 3 is outside the vocabulary of 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CrossEntropy.apply(tape, x, Var.param("w", new float[15], 3, 5), new int[] {0, 1}, new float[] {1, 1}, 2));
        assertEquals("w[3, 5] cannot classify x[2, 4]", e.getMessage());
    }

    /**
     * The loss of whole logits [T, vocab], plainly: each row's log-sum-exp, and backward
     * dlogits[t] = weight[t] / denominator * (softmax(logits[t]) - onehot(target[t])) (the op before chunking).
     */
    static Var reference(Tape tape, Var logits, int[] targets, float[] weights, float denominator) {
        int rows = logits.rows(), vocab = logits.cols();
        float[] z = logits.value();
        float[] lse = new float[rows];
        double total = 0;
        for (int t = 0; t < rows; t++) {
            if (weights[t] == 0) continue;
            int o = t * vocab;
            float max = ExpSum.max(z, o, vocab);
            lse[t] = max + (float) Math.log(ExpSum.sum(z, o, vocab, max));
            total += weights[t] * (lse[t] - z[o + targets[t]]);
        }
        Var loss = tape.result("cross_entropy", 1, 1, true);
        loss.value()[0] = (float) (total / denominator);
        tape.recordUnrounded(loss, () -> {
            float scale = loss.grad()[0] / denominator;
            float[] dz = logits.gradForUpdate();
            for (int t = 0; t < rows; t++) {
                if (weights[t] == 0) continue;
                int o = t * vocab;
                float g = scale * weights[t];
                for (int j = 0; j < vocab; j++) dz[o + j] = z[o + j];
                ExpSum.scaleExp(g, dz, o, lse[t], vocab);
                dz[o + targets[t]] -= g;
            }
        }, logits);
        return loss;
    }
}

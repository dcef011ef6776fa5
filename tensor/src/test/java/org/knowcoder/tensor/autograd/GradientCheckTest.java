package org.knowcoder.tensor.autograd;

import org.junit.jupiter.api.Test;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.TestTensors;
import org.knowcoder.tensor.kernels.Rope;

import java.util.Random;
import java.util.function.Function;
import org.knowcoder.testing.TestPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/**
 * Every op's backward against central finite differences of sum(out * R) for a random R, on small
 * random shapes that are not multiples of the vector width.
 */
class GradientCheckTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;
    private final Random rnd = new Random(7);

    private Var param(String name, int rows, int cols) {
        return Var.param(name, randomFloats(rnd, rows * cols), rows, cols);
    }

    /** Builds {@code graph}, back-propagates R and compares each parameter's gradient with finite differences. */
    private void check(Function<Tape, Var> graph, Var... params) {
        Tape tape = new Tape(POOL);
        Var out = graph.apply(tape);
        float[] r = randomFloats(rnd, out.size());
        tape.backward(out, r);
        assertEquals(0, tape.pending());
        for (Var p : params) {
            assertNotNull(p.grad(), p.name() + " got no gradient");
            float[] analytic = p.grad().clone();
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                float orig = v[i];
                float h = 1e-2f;
                v[i] = orig + h;
                double plus = evaluate(graph, r);
                v[i] = orig - h;
                double minus = evaluate(graph, r);
                v[i] = orig;
                double numeric = (plus - minus) / (2 * h);
                double error = Math.abs(numeric - analytic[i]);
                if (error > 2e-3 + 2e-2 * Math.abs(numeric)) {
                    fail(p.name() + "[" + i + "]: analytic " + analytic[i] + ", numeric " + numeric);
                }
            }
            p.zeroGrad();
        }
    }

    private static double evaluate(Function<Tape, Var> graph, float[] r) {
        Tape tape = new Tape(POOL);
        Var out = graph.apply(tape);
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) out.value()[i] * r[i];
        tape.clear();
        return s;
    }

    @Test
    void linear() {
        Var x = param("x", 5, 37), w = param("w", 6, 37);
        check(t -> Linear.apply(t, x, w), x, w);
    }

    @Test
    void linearOverFrozenBf16Weight() {
        Var x = param("x", 3, 20);
        Var w = Var.frozen(TestTensors.random(DType.BF16, 5, 20, rnd, null).tensor());
        check(t -> Linear.apply(t, x, w), x);
        assertNull(w.grad());
    }

    @Test
    void embedding() {
        Var table = param("table", 11, 6);
        int[] tokens = {3, 0, 3, 10};
        check(t -> Embedding.apply(t, tokens, table), table);
    }

    @Test
    void selectRowsTakingOneTwice() {
        Var x = param("x", 5, 3);
        check(t -> SelectRows.apply(t, x, new int[] {4, 1, 4}), x);
    }

    @Test
    void rmsNorm() {
        Var x = param("x", 4, 19), w = param("w", 1, 19);
        check(t -> RmsNorm.apply(t, x, w, 1e-5f), x, w);
    }

    @Test
    void rotaryEmbedding() {
        Var x = param("x", 6, 8);
        Rope rope = new Rope(4, 3, 10000f);
        check(t -> RotaryEmbedding.apply(t, x, 2, 3, rope), x);
    }

    @Test
    void causalAttentionWithGroupedHeads() {
        Var q = param("q", 8, 16), k = param("k", 8, 8), v = param("v", 8, 8);
        check(t -> CausalAttention.apply(t, q, k, v, 4, 2, 4), q, k, v);
    }

    @Test
    void rotaryEmbeddingAtGivenPositions() {
        Var x = param("x", 6, 8);
        Rope rope = new Rope(4, 3, 10000f);
        check(t -> RotaryEmbedding.apply(t, x, 2, 3, RowLayout.packed(new int[] {0, 1, 0, 0, 1, 2}), rope), x);
    }

    @Test
    void causalAttentionOverPackedExamples() {
        // two sequences of 4 rows: examples of 3 and 1 rows, then of 2 and 2
        Var q = param("q", 8, 16), k = param("k", 8, 8), v = param("v", 8, 8);
        check(t -> CausalAttention.apply(t, q, k, v, 4, 2, 4, RowLayout.packed(new int[] {0, 1, 2, 0, 0, 1, 0, 1})), q, k, v);
    }

    @Test
    void causalAttentionOverASharedPrefix() {
        // one sequence of 7 rows: a prefix of 2 rows, examples continuing it with 2 and 3 rows of their own
        Var q = param("q", 7, 16), k = param("k", 7, 8), v = param("v", 7, 8);
        RowLayout layout = new RowLayout(new int[] {0, 1, 2, 3, 2, 3, 4}, new int[] {-1, -1, 1, 1, 1, 1, 1});
        check(t -> CausalAttention.apply(t, q, k, v, 4, 2, 7, layout), q, k, v);
    }

    @Test
    void siluGate() {
        Var g = param("gate", 3, 21), u = param("up", 3, 21);
        check(t -> SiluGate.apply(t, g, u), g, u);
    }

    @Test
    void addScaled() {
        Var a = param("a", 3, 5), b = param("b", 3, 5);
        check(t -> Add.apply(t, a, b, 0.5f), a, b);
    }

    @Test
    void gather() {
        Var x = param("x", 2, 4);
        check(t -> Gather.apply(t, x, new int[] {2, 0, 3, 1}), x);
    }

    @Test
    void dropout() {
        Var x = param("x", 3, 10);
        check(t -> Dropout.apply(t, x, 0.3f, 42), x);
    }

    @Test
    void crossEntropyWithMask() {
        Var x = param("x", 5, 6), w = param("w", 9, 6);
        int[] targets = {1, 8, 0, 4, 4};
        float[] weights = {1, 0, 1, 1, 1};
        check(t -> CrossEntropy.apply(t, x, w, targets, weights, 3f), x, w);
    }

    @Test
    void composedGraphReleasesIntermediates() {
        Var x = param("x", 4, 8), w = param("w", 8, 8), n = param("n", 1, 8);
        Var[] kept = new Var[1];
        Function<Tape, Var> graph = t -> {
            Var h = RmsNorm.apply(t, x, n, 1e-5f);
            kept[0] = Linear.apply(t, h, w);
            return Add.apply(t, x, SiluGate.apply(t, kept[0], h));
        };
        check(graph, x, w, n);
        Tape tape = new Tape(POOL);
        Var out = graph.apply(tape);
        tape.backward(out, new float[out.size()]);
        assertNull(kept[0].value(), "an intermediate outlives the backward that used it");
        assertNotNull(x.value(), "a parameter's value was released");
    }
}

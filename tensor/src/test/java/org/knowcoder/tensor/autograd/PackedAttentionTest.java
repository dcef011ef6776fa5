package org.knowcoder.tensor.autograd;

import org.junit.jupiter.api.Test;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.testing.TestPool;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/**
 * Attention over several examples per sequence: against a plain reference with an explicit
 * block-diagonal causal mask, and against each example run alone.
 */
class PackedAttentionTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;
    private static final int HEADS = 4, KV_HEADS = 2, HD = 6, SEQ = 7;
    // two sequences: examples of 3, 4 rows; then 2, 1, 4
    private static final int[] POSITIONS = {0, 1, 2, 0, 1, 2, 3, 0, 1, 0, 0, 1, 2, 3};
    private final Random rnd = new Random(11);

    @Test
    void matchesAPlainMaskedReference() {
        int rows = POSITIONS.length;
        float[] q = randomFloats(rnd, rows * HEADS * HD), k = randomFloats(rnd, rows * KV_HEADS * HD), v = randomFloats(rnd, rows * KV_HEADS * HD);
        float[] got = attention(q, k, v, rows, POSITIONS);
        float[] want = reference(q, k, v, rows);
        for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-5, "element " + i);
    }

    @Test
    void eachExampleComputesAsIfAlone() {
        int rows = POSITIONS.length;
        float[] q = randomFloats(rnd, rows * HEADS * HD), k = randomFloats(rnd, rows * KV_HEADS * HD), v = randomFloats(rnd, rows * KV_HEADS * HD);
        float[] packed = attention(q, k, v, rows, POSITIONS);
        for (int start = 0; start < rows; ) {
            int end = start + 1;
            while (end < rows && POSITIONS[end] != 0) end++;
            int n = end - start;
            float[] alone = attention(slice(q, start, end, HEADS), slice(k, start, end, KV_HEADS), slice(v, start, end, KV_HEADS), n, null);
            // the same dot products in the same order: bit for bit
            assertArrayEquals(alone, slice(packed, start, end, HEADS), "example at row " + start);
            start = end;
        }
    }

    @Test
    void positionsThatDoNotRestartOrCountOnAreRefused() {
        Tape tape = new Tape(POOL);
        Var x = Var.param("x", new float[2 * SEQ * HEADS * HD], 2 * SEQ, HEADS * HD);
        Var kv = Var.param("kv", new float[2 * SEQ * HEADS * HD], 2 * SEQ, HEADS * HD);
        int[] skips = POSITIONS.clone();
        skips[2] = 3;
        int[] crossesSequences = POSITIONS.clone();
        crossesSequences[SEQ] = 4;
        for (int[] bad : new int[][] {skips, crossesSequences, Arrays.copyOf(POSITIONS, 3)}) {
            assertThrows(IllegalArgumentException.class, () -> CausalAttention.apply(tape, x, kv, kv, HEADS, HEADS, SEQ, RowLayout.packed(bad)));
        }
    }

    @Test
    void sharedPrefixesThatReachOutsideTheirSequenceOrMisplaceTheirRowsAreRefused() {
        Tape tape = new Tape(POOL);
        Var x = Var.param("x", new float[SEQ * HEADS * HD], SEQ, HEADS * HD);
        // a prefix of 2 rows, continued by examples of 3 and 2 rows
        int[] positions = {0, 1, 2, 3, 4, 2, 3}, ends = {-1, -1, 1, 1, 1, 1, 1};
        assertEquals(SEQ * HEADS * HD, CausalAttention.apply(tape, x, x, x, HEADS, HEADS, SEQ, new RowLayout(positions, ends)).size());
        int[] later = ends.clone(), chained = ends.clone(), misplaced = positions.clone();
        later[2] = 3; // a prefix that ends after the row
        chained[5] = 3; // a prefix row that itself continues a prefix
        misplaced[5] = 3; // not right after the prefix's 2 rows
        for (RowLayout bad : new RowLayout[] {new RowLayout(positions, later), new RowLayout(positions, chained),
                new RowLayout(misplaced, ends), new RowLayout(null, ends)}) {
            assertThrows(IllegalArgumentException.class, () -> CausalAttention.apply(tape, x, x, x, HEADS, HEADS, SEQ, bad), bad.toString());
        }
    }

    private static float[] attention(float[] q, float[] k, float[] v, int rows, int[] positions) {
        Tape tape = new Tape(POOL);
        Var y = CausalAttention.apply(tape, Var.param("q", q, rows, HEADS * HD), Var.param("k", k, rows, KV_HEADS * HD),
                Var.param("v", v, rows, KV_HEADS * HD), HEADS, KV_HEADS, positions == null ? rows : SEQ, positions == null ? RowLayout.UNPACKED : RowLayout.packed(positions));
        return Arrays.copyOf(y.value(), y.size()); // a pool array may be longer
    }

    /** Softmax attention in double over an explicit mask: row i sees row j of its sequence iff j <= i in the same example. */
    private static float[] reference(float[] q, float[] k, float[] v, int rows) {
        float[] out = new float[rows * HEADS * HD];
        int[] example = new int[rows];
        for (int r = 0, id = -1; r < rows; r++) example[r] = POSITIONS[r] == 0 ? ++id : id;
        for (int i = 0; i < rows; i++) {
            for (int h = 0; h < HEADS; h++) {
                int g = h / (HEADS / KV_HEADS);
                double[] w = new double[rows];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < rows; j++) {
                    boolean visible = j <= i && i / SEQ == j / SEQ && example[i] == example[j];
                    w[j] = Double.NEGATIVE_INFINITY;
                    if (!visible) continue;
                    double s = 0;
                    for (int d = 0; d < HD; d++) s += (double) q[(i * HEADS + h) * HD + d] * k[(j * KV_HEADS + g) * HD + d];
                    w[j] = s / Math.sqrt(HD);
                    max = Math.max(max, w[j]);
                }
                for (int j = 0; j < rows; j++) sum += w[j] = Math.exp(w[j] - max);
                for (int j = 0; j < rows; j++) {
                    for (int d = 0; d < HD; d++) out[(i * HEADS + h) * HD + d] += (float) (w[j] / sum * v[(j * KV_HEADS + g) * HD + d]);
                }
            }
        }
        return out;
    }

    private static float[] slice(float[] a, int from, int to, int heads) {
        return Arrays.copyOfRange(a, from * heads * HD, to * heads * HD);
    }
}

package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.knowcoder.io.BadInputException;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.testing.Approx.assertClose;
import static org.knowcoder.tensor.TestTensors.randomFloats;
import static org.knowcoder.tensor.kernels.VectorMathTest.assertOutsideUnchanged;

class RopeTest {
    private static final float THETA = 10000f;

    @Test
    void aContextTooLongForTheTablesIsRefused() {
        var e = assertThrows(BadInputException.class, () -> new Rope(64, Integer.MAX_VALUE, THETA));
        assertEquals("a context of 2147483647 positions needs RoPE tables larger than a Java array"
                + " (check seq_len or max_position_embeddings)", e.getMessage());
    }

    @ParameterizedTest(name = "headDim = {0}")
    @ValueSource(ints = {2, 6, 16, 34, 64, 128})
    void rotatesAdjacentPairsOfEveryHead(int headDim) {
        int heads = 3, off = 5, maxPositions = 64;
        Rope rope = new Rope(headDim, maxPositions, THETA);
        assertEquals(maxPositions, rope.maxPositions());
        Random rnd = new Random(headDim);
        for (int pos : new int[] {0, 1, 7, maxPositions - 1}) {
            float[] v = randomFloats(rnd, off + heads * headDim + 2);
            float[] before = v.clone();
            rope.apply(v, off, heads, pos);
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < headDim / 2; i++) {
                    double angle = pos * Math.pow(THETA, -2.0 * i / headDim);
                    int o = off + h * headDim + 2 * i;
                    double a = before[o], b = before[o + 1];
                    String what = "headDim " + headDim + " pos " + pos + " head " + h + " pair " + i;
                    // the kernel's angles are float: allow ~pos ulps of angle error
                    assertClose(a * Math.cos(angle) - b * Math.sin(angle), v[o], 0, 0, 1e-5 + pos * 1e-6, what);
                    assertClose(a * Math.sin(angle) + b * Math.cos(angle), v[o + 1], 0, 0, 1e-5 + pos * 1e-6, what);
                }
            }
            assertOutsideUnchanged(before, v, off, heads * headDim);
        }
    }

    @Test
    void positionZeroIsTheIdentity() {
        Rope rope = new Rope(8, 4, THETA);
        float[] v = randomFloats(new Random(1), 16);
        float[] before = v.clone();
        rope.apply(v, 0, 2, 0);
        assertArrayEquals(before, v);
    }

    @Test
    void rejectsAnOddHeadSize() {
        assertThrows(IllegalArgumentException.class, () -> new Rope(7, 4, THETA));
    }
}

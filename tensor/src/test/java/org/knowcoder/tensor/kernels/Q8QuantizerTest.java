package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.TestTensors;
import org.knowcoder.tensor.TestTensors.Weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama2.c's version-2 exporter (export.py, quantize_q80): per group, scale = max|x| / 127 in F32
 * and q = torch.round(x / scale), which rounds halves to even.
 */
class Q8QuantizerTest {

    @ParameterizedTest(name = "{0} [{1}, {2}] in groups of {3}")
    @CsvSource({"F32, 3, 64, 64", "F32, 5, 96, 32", "F32, 1, 12, 4", "F16, 2, 64, 32", "BF16, 4, 48, 16"})
    void followsTheExporterRuleWithinTheErrorBound(DType dtype, int rows, int cols, int group) {
        Random rnd = new Random(rows * cols + group);
        float[] raw = TestTensors.randomFloats(rnd, rows * cols);
        raw[5] *= 40; // an outlier in one group
        Weights w = TestTensors.fromFloats(dtype, raw, null, rows, cols);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Q8Quantizer.quantize(w.tensor(), group, arena);
            assertEquals(DType.Q8_0, q.dtype());
            assertEquals(group, q.groupSize());
            assertArrayEquals(new long[] {rows, cols}, q.shape());
            float[] x = w.values();
            for (int g = 0; g < x.length / group; g++) {
                float max = 0;
                for (int i = g * group; i < (g + 1) * group; i++) max = Math.max(max, Math.abs(x[i]));
                float scale = max / 127f;
                assertEquals(scale, q.scales().get(Tensor.F32_LE, g * 4L), "scale of group " + g);
                int largest = 0;
                for (int i = g * group; i < (g + 1) * group; i++) {
                    byte value = q.data().get(ValueLayout.JAVA_BYTE, i);
                    assertEquals((int) Math.rint(x[i] / scale), value, "q[" + i + "]");
                    assertTrue(Math.abs(value * scale - x[i]) <= scale / 2 * (1 + 1e-5), "dequantized error of element " + i);
                    largest = Math.max(largest, Math.abs(value));
                }
                assertEquals(127, largest, "the largest magnitude of group " + g + " maps to 127");
            }
        }
    }

    @Test
    void roundsHalvesToEvenAsTorchRoundDoes() {
        // max 127 gives scale exactly 1, so x / scale lands on the halves themselves
        float[] x = {127f, 2.5f, -2.5f, 0.5f, -0.5f, 1.5f, -1.5f, 3.5f};
        byte[] expected = {127, 2, -2, 0, 0, 2, -2, 4};
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Q8Quantizer.quantize(Tensor.ofFloats("w", x, 1, 8), 8, arena);
            assertEquals(1f, q.scales().get(Tensor.F32_LE, 0));
            assertArrayEquals(expected, q.data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void anAllZeroGroupHasScaleZeroAndZeroValues() {
        float[] x = {0, 0, 0, 0, 1, -2, 0.5f, 0};
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Q8Quantizer.quantize(Tensor.ofFloats("w", x, 2, 4), 4, arena);
            assertEquals(0f, q.scales().get(Tensor.F32_LE, 0));
            assertArrayEquals(new float[] {0, 0, 0, 0}, java.util.Arrays.copyOf(q.toFloats(), 4));
            assertEquals(-2f, q.get(5), 1e-6);
        }
    }

    @Test
    void rejectsRowsThatAreNotWholeGroups() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.ofFloats("w", new float[24], 2, 12);
            assertThrows(IllegalArgumentException.class, () -> Q8Quantizer.quantize(t, 8, arena));
        }
    }
}

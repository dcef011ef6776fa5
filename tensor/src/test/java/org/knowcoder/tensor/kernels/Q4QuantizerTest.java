package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.TestTensors;

import java.lang.foreign.Arena;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantization rules of {@link Q4Quantizer}, checked block by block on random rows with outliers. */
class Q4QuantizerTest {

    @Test
    void q40ScaleComesFromTheValueOfLargestMagnitudeAndCodesRoundToNearest() {
        Random rnd = new Random(1);
        float[] raw = TestTensors.randomFloats(rnd, 4 * 96);
        raw[40] = -9f; // the extreme of its block is negative: d > 0
        raw[100] = 7f; // positive: d < 0
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Q4Quantizer.quantize(Tensor.ofFloats("w", raw, 4, 96), DType.Q4_0, arena);
            for (int b = 0; b < raw.length / Q4.BLOCK; b++) {
                float extreme = 0;
                for (int i = b * 32; i < b * 32 + 32; i++) if (Math.abs(raw[i]) > Math.abs(extreme)) extreme = raw[i];
                float d = Half.f16ToFloat(Half.floatToF16(extreme / -8f));
                assertEquals(d, q.scale(b), "d of block " + b);
                for (int i = b * 32; i < b * 32 + 32; i++) {
                    int code = Q4.code(q, i);
                    assertEquals((int) Math.max(0, Math.min(15, Math.rint(raw[i] / d) + 8)), code, "code " + i);
                    if (raw[i] == extreme) assertEquals(0, code, "the extreme takes code 0");
                    if (code > 0 && code < 15) assertTrue(Math.abs(q.get(i) - raw[i]) <= Math.abs(d) / 2 * 1.001, "error of " + i);
                }
            }
        }
    }

    @Test
    void q4kFitsEachBlockWithinItsSixBitScaleAndMin() {
        Random rnd = new Random(2);
        float[] raw = TestTensors.randomFloats(rnd, 2 * 512);
        for (int i = 0; i < raw.length; i += 37) raw[i] *= 6; // blocks of different ranges
        for (int i = 64; i < 96; i++) raw[i] = Math.abs(raw[i]); // a block all positive: its min is 0
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Q4Quantizer.quantize(Tensor.ofFloats("w", raw, 2, 512), DType.Q4_K, arena);
            for (int s = 0; s < raw.length / Q4.SUPER; s++) {
                long r = s / 2;
                int first8 = s % 2 * 8; // the super-block's first block of 32 in its row
                float d = Half.f16ToFloat(q.scales().get(Tensor.I16_LE, Q4.dAt(2, 512, r, first8)));
                float dmin = Half.f16ToFloat(q.scales().get(Tensor.I16_LE, Q4.dminAt(2, 512, r, first8)));
                assertEquals(d, Half.f16ToFloat(Half.floatToF16(d)), "d is an F16");
                for (int j = 0; j < 8; j++) {
                    int sc = Q4.scale(q.scales(), 2, 512, r, first8 + j), m = Q4.min(q.scales(), 2, 512, r, first8 + j);
                    assertTrue(sc >= 0 && sc < 64 && m >= 0 && m < 64, "6-bit scale and min");
                    float lo = 0, hi = -Float.MAX_VALUE;
                    int first = s * Q4.SUPER + j * Q4.BLOCK;
                    for (int i = first; i < first + 32; i++) {
                        lo = Math.min(lo, raw[i]);
                        hi = Math.max(hi, raw[i]);
                    }
                    // the 6-bit rounding moves the scale by d / 2 and the min by dmin / 2 at most
                    double bound = d * sc / 2 + 15 * d / 2 + dmin / 2 + 1e-6;
                    for (int i = first; i < first + 32; i++) {
                        assertTrue(Math.abs(q.get(i) - raw[i]) <= bound, "value " + i + ": " + q.get(i) + " for " + raw[i]);
                    }
                }
            }
        }
    }
}

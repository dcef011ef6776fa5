package org.knowcoder.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfTest {

    @Test
    void f16WideningIsExactForEveryBitPattern() {
        for (int b = 0; b < 0x10000; b++) {
            short bits = (short) b;
            float expected = TestTensors.f16Value(bits), actual = Half.f16ToFloat(bits);
            if (Float.isNaN(expected)) assertTrue(Float.isNaN(actual), Integer.toHexString(b));
            else assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), Integer.toHexString(b));
        }
    }

    @Test
    void f16NarrowingRoundsToNearest() {
        assertEquals((short) 0x3C00, Half.floatToF16(1.0f));
        assertEquals((short) 0x8000, Half.floatToF16(-0.0f));
        assertEquals((short) 0x0001, Half.floatToF16(0x1p-24f)); // smallest subnormal
        assertEquals((short) 0x7C00, Half.floatToF16(1e6f)); // overflows to infinity
        assertEquals((short) 0x3C00, Half.floatToF16(1.0f + 0x1p-11f)); // tie goes to even
        assertEquals((short) 0x3C02, Half.floatToF16(1.0f + 3 * 0x1p-11f));
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertEquals((short) 0x3F80, Half.floatToBf16(1.0f));
        assertEquals(1.0f, Half.bf16ToFloat(Half.floatToBf16(1.0f + 0x1p-8f))); // tie to even (down)
        assertEquals(1.0f + 0x1p-6f, Half.bf16ToFloat(Half.floatToBf16(1.0f + 3 * 0x1p-8f))); // tie to even (up)
        assertEquals(1.0f + 0x1p-7f, Half.bf16ToFloat(Half.floatToBf16(1.0f + 0x1p-8f + 0x1p-20f))); // above the tie
        assertEquals(Float.NEGATIVE_INFINITY, Half.bf16ToFloat(Half.floatToBf16(Float.NEGATIVE_INFINITY)));
        assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(Float.NaN))));
        assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(Float.intBitsToFloat(0x7F800001))))); // low-payload NaN
        for (int i = 0; i < 1000; i++) {
            float v = (i - 500) * 0.37f;
            short bits = Half.floatToBf16(v);
            assertEquals(TestTensors.bf16Value(bits), Half.bf16ToFloat(bits));
            assertTrue(Math.abs(Half.bf16ToFloat(bits) - v) <= Math.abs(v) * 0x1p-8f, "bf16(" + v + ")");
        }
    }
}

package org.knowcoder.tensor;

/** Scalar conversions between F32 and the 16-bit float formats (bit patterns held in shorts). */
public final class Half {
    private Half() {}

    /** BF16 is the top half of an F32: widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Rounds to nearest even, as PyTorch's {@code tensor.to(torch.bfloat16)} does; NaN stays NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** {@code value} rounded to the nearest BF16 (ties to even) and widened back: its low 16 bits are zero. */
    public static float roundToBf16(float value) {
        return bf16ToFloat(floatToBf16(value));
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }
}

package org.knowcoder.tensor;

import org.knowcoder.io.BadInputException;

/**
 * Element types a tensor can hold. Weights keep their file dtype; activations are always F32.
 * Q8_0 is int8 values in groups that share one F32 scale (llama2.c version 2 layout: all the
 * int8 values of a tensor, then all its scales). Q4_0 and Q4_K are 4-bit values in blocks of 32
 * (GGUF's formats, in the engine's order of rows and nibbles, {@link Q4}): Q4_0 with one F16 scale
 * per block, Q4_K with a 6-bit scale and min per block under a super-block's d and dmin.
 */
public enum DType {
    F32(4), F16(2), BF16(2), Q8_0(1), Q4_0(0), Q4_K(0);

    /** Bytes per element of the value storage (Q8_0: the int8 only, scales are separate; 0 for the 4-bit types, see {@link #valueBytes}). */
    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes of the value storage of {@code numel} elements (4-bit types: two to a byte; scales not counted). */
    public long valueBytes(long numel) {
        return isQ4() ? numel / 2 : numel * bytes;
    }

    /** Whether this is one of the 4-bit block types. */
    public boolean isQ4() {
        return this == Q4_0 || this == Q4_K;
    }

    /** Parses the safetensors / CLI spelling ("F32", "bf16", "q8_0"). */
    public static DType parse(String name) {
        for (DType t : values()) {
            if (t.name().equalsIgnoreCase(name)) return t;
        }
        throw new BadInputException("unknown dtype '" + name + "' (expected F32, F16, BF16, Q8_0, Q4_0 or Q4_K)");
    }
}

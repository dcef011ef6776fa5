package org.knowcoder.tensor;

import org.knowcoder.io.BadInputException;

/**
 * Element types a tensor can hold. Weights keep their file dtype; activations are always F32.
 * Q8_0 is int8 values in groups that share one F32 scale (llama2.c version 2 layout: all the
 * int8 values of a tensor, then all its scales).
 */
public enum DType {
    F32(4), F16(2), BF16(2), Q8_0(1);

    /** Bytes per element of the value storage (Q8_0: the int8 only, scales are separate). */
    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Parses the safetensors / CLI spelling ("F32", "bf16", "q8_0"). */
    public static DType parse(String name) {
        for (DType t : values()) {
            if (t.name().equalsIgnoreCase(name)) return t;
        }
        throw new BadInputException("unknown dtype '" + name + "' (expected F32, F16, BF16 or Q8_0)");
    }
}

package org.knowcoder.model.format;

/**
 * Tensor types of GGUF files (ggml's numbering; the gaps are types ggml removed). A type stores
 * blocks of {@code blockSize} values in {@code blockBytes} bytes along the innermost dimension.
 * The engine reads F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q5_0, Q5_1, Q5_K and Q6_K; the others are known so that a file
 * holding them is refused by name.
 */
enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24),
    /** 32 values: an F16 scale, then 32 int8. */
    Q8_0(8, 32, 34), Q8_1(9, 32, 36), Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144),
    Q5_K(13, 256, 176), Q6_K(14, 256, 210), Q8_K(15, 256, 292), IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98), IQ1_S(19, 256, 50), IQ4_NL(20, 32, 18), IQ3_S(21, 256, 110), IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136), I8(24, 1, 1), I16(25, 1, 2), I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8),
    IQ1_M(29, 256, 56), BF16(30, 1, 2);

    final int code, blockSize, blockBytes;

    GgmlType(int code, int blockSize, int blockBytes) {
        this.code = code;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    static GgmlType of(long code) {
        for (GgmlType t : values()) if (t.code == code) return t;
        return null;
    }

    /** {@code general.file_type} for a model whose matrices are all of this type (llama.cpp's LLAMA_FTYPE). */
    int fileType() {
        return switch (this) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8_0 -> 7;
            case Q4_0 -> 2;
            case Q4_K -> 14; // MOSTLY_Q4_K_S: every matrix Q4_K (the _M mix keeps some in Q6_K)
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no file type for " + this);
        };
    }
}

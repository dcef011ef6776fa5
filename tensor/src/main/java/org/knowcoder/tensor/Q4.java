package org.knowcoder.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How the engine holds 4-bit weights (Q4_0, Q4_K) in memory, and the plain scalar dequantization
 * that is the reference for the vector kernels ({@code Q4Rows}).
 *
 * <p>Values: two nibbles a byte, each row starting a new run. A row is cut into chunks of
 * {@link #CHUNK} values (the last one shorter when the row is not a multiple of 128: 32, 64 or 96
 * values) stored in {@code width / 2} bytes read as {@code width / 8} little-endian ints; value k of
 * a chunk is nibble {@code k / lanes} (bits 4 nibble .. 4 nibble + 3) of int {@code k % lanes},
 * where lanes = width / 8. So in a whole chunk nibble p of the 16 ints holds values 16p .. 16p + 15:
 * a vector kernel masks one nibble position out of the ints it loaded and has 16 consecutive
 * values, all in one block of 32, against 16 consecutive activations. GGUF's own order (byte k of a
 * block: value k low, value k + 16 high) would give the lanes values 16 apart, so the activation
 * would have to be permuted per call, and a widened row would have to be scattered.
 *
 * <p>Scales ({@link Tensor#scales()}): Q4_0 one F16 per block of 32 values (as GGUF stores it,
 * so the copy is no larger than the file), value = (q - 8) * d.
 * Q4_K one {@link #RECORD}-byte record per super-block of 256 values: the 6-bit scales sc[0..8) of
 * its eight blocks of 32 as bytes, then the 6-bit mins m[0..8), then d and dmin as F16 (as GGUF
 * stores them); value = d * sc[j] * q - dmin * m[j].
 */
public final class Q4 {
    private Q4() {}

    /** Values under one scale: a Q4_0 block, a Q4_K sub-block. */
    public static final int BLOCK = 32;
    /** Values of a Q4_K super-block. */
    public static final int SUPER = 256;
    /** Values of a whole chunk of nibbles (64 bytes). */
    public static final int CHUNK = 128;
    /** Bytes of a Q4_K super-block's scale record: 8 scales, 8 mins, F16 d, F16 dmin. */
    public static final int RECORD = 20;
    /** Where d and dmin are in a Q4_K record. */
    public static final int D = 16, DMIN = 18;

    /** Values per scale group of {@code type}'s rows: rows must be a multiple of it. */
    public static int rowMultiple(DType type) {
        return type == DType.Q4_K ? SUPER : BLOCK;
    }

    /** Bytes of scales for {@code numel} values of {@code type}. */
    public static long scaleBytes(DType type, long numel) {
        return type == DType.Q4_K ? numel / SUPER * RECORD : numel / BLOCK * 2;
    }

    /** Byte of a row's nibbles (from the row's first byte) holding value i of a row of n values. */
    public static int byteOf(int n, int i) {
        int start = i - i % CHUNK, lanes = Math.min(CHUNK, n - start) / 8, k = i - start;
        return start / 2 + 4 * (k % lanes) + k / lanes / 2;
    }

    /** The shift (0 or 4) of value i's nibble in its byte ({@link #byteOf}). */
    public static int shiftOf(int n, int i) {
        int start = i - i % CHUNK, lanes = Math.min(CHUNK, n - start) / 8;
        return 4 * ((i - start) / lanes % 2);
    }

    /** The 4-bit code (0..15) of element {@code index} of the flattened tensor. */
    public static int code(Tensor t, long index) {
        int n = t.cols(), i = (int) (index % n);
        long at = index / n * (n / 2) + byteOf(n, i);
        return t.data().get(ValueLayout.JAVA_BYTE, at) >> shiftOf(n, i) & 0xF;
    }

    /** Element {@code index} of a Q4_0 or Q4_K tensor, dequantized: the definition the kernels must match. */
    public static float value(Tensor t, long index) {
        int q = code(t, index);
        MemorySegment s = t.scales();
        if (t.dtype() == DType.Q4_0) return (q - 8) * t.scale(index / BLOCK);
        long record = index / SUPER * RECORD;
        int j = (int) (index % SUPER / BLOCK);
        float d = Half.f16ToFloat(s.get(Tensor.I16_LE, record + D)), dmin = Half.f16ToFloat(s.get(Tensor.I16_LE, record + DMIN));
        return d * s.get(ValueLayout.JAVA_BYTE, record + j) * q - dmin * s.get(ValueLayout.JAVA_BYTE, record + 8 + j);
    }
}

package org.knowcoder.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * How the engine holds 4-bit weights (Q4_0, Q4_K) in memory, and the plain scalar dequantization
 * that is the reference for the vector kernels ({@code Q4Rows}). Codes are stored as they are
 * (0..15), two a byte; {@link #nibble} says where each one is.
 *
 * <p>Q4_0: rows in groups of {@link #GROUP} = 64, the lanes of its kernel, which takes a column of
 * a group in one vector and multiplies it by that column's activation. A group's columns come in
 * pairs (c, c + 1), 64 bytes each: byte 2k + j holds column c + j of rows k (low nibble) and k + 32
 * (high nibble) of the group. Read as 32 shorts, the pair gives column c in the low bytes and c + 1
 * in the high ones. The rows past the last whole group are stored one after another, value i of a
 * row in byte i / 2 (low nibble for even i). Scales: one F16 per block of 32 values (as GGUF stores
 * them, so the copy is no larger than the file), value = (q - 8) * d, a group's 64 scales of one
 * block side by side ({@link #scaleIndex}).
 *
 * <p>Q4_K: each row starting a new run, cut into chunks of {@link #CHUNK} values (the last one
 * shorter when the row is not a multiple of 128: 32, 64 or 96 values) stored in {@code width / 2}
 * bytes read as {@code width / 8} little-endian ints; value k of a chunk is nibble {@code k / lanes}
 * (bits 4 nibble .. 4 nibble + 3) of int {@code k % lanes}, where lanes = width / 8. So in a whole
 * chunk nibble p of the 16 ints holds values 16p .. 16p + 15: a vector kernel masks one nibble
 * position out of the ints it loaded and has 16 consecutive values, all in one block of 32, against
 * 16 consecutive activations. One {@link #RECORD}-byte record per super-block of 256 values: the
 * 6-bit scales sc[0..8) of its eight blocks of 32 as bytes, then the 6-bit mins m[0..8), then d and
 * dmin as F16 (as GGUF stores them); value = d * sc[j] * q - dmin * m[j].
 */
public final class Q4 {
    private Q4() {}

    /** Values under one scale: a Q4_0 block, a Q4_K sub-block. */
    public static final int BLOCK = 32;
    /** Values of a Q4_K super-block. */
    public static final int SUPER = 256;
    /** Rows of a Q4_0 group. */
    public static final int GROUP = 64;
    /** Values of a whole Q4_K chunk of nibbles (64 bytes). */
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

    /** Rows of a Q4_0 tensor of {@code rows} rows laid out in groups: all but the last rows % 64. */
    public static long grouped(long rows) {
        return rows - rows % GROUP;
    }

    /**
     * Where value i of row r of a [rows, n] tensor of {@code type} is: the index of its nibble,
     * byte * 2 plus one for a high nibble.
     */
    public static long nibble(DType type, long rows, int n, long r, int i) {
        if (type == DType.Q4_K) return 2 * (r * (n / 2) + byteOf(n, i)) + shiftOf(n, i) / 4;
        if (r >= grouped(rows)) return r * n + i;
        int k = (int) (r % GROUP);
        return 2 * (r / GROUP * 32L * n + i / 2 * 64L + 2 * (k % 32) + i % 2) + k / 32;
    }

    /** The index of the F16 scale of block b (values 32b .. 32b + 31) of row r of a [rows, n] Q4_0 tensor. */
    public static long scaleIndex(long rows, int n, long r, int b) {
        int blocks = n / BLOCK;
        return r < grouped(rows) ? (r / GROUP * blocks + b) * GROUP + r % GROUP : r * blocks + b;
    }

    /** Byte of a Q4_K row's nibbles (from the row's first byte) holding value i of a row of n values. */
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
        int n = t.cols();
        long at = nibble(t.dtype(), t.rows(), n, index / n, (int) (index % n));
        return t.data().get(ValueLayout.JAVA_BYTE, at >> 1) >> 4 * (at & 1) & 0xF;
    }

    /** Element {@code index} of a Q4_0 or Q4_K tensor, dequantized: the definition the kernels must match. */
    public static float value(Tensor t, long index) {
        int q = code(t, index);
        MemorySegment s = t.scales();
        if (t.dtype() == DType.Q4_0) return (q - 8) * t.scale(scaleIndex(t.rows(), t.cols(), index / t.cols(), (int) (index % t.cols() / BLOCK)));
        long record = index / SUPER * RECORD;
        int j = (int) (index % SUPER / BLOCK);
        float d = Half.f16ToFloat(s.get(Tensor.I16_LE, record + D)), dmin = Half.f16ToFloat(s.get(Tensor.I16_LE, record + DMIN));
        return d * s.get(ValueLayout.JAVA_BYTE, record + j) * q - dmin * s.get(ValueLayout.JAVA_BYTE, record + 8 + j);
    }

    /**
     * Puts the codes of a [rows, n] tensor of {@code type} into its nibbles where {@link #nibble}
     * says, row after row; a Q4_0 group is assembled in an array and copied whole (set nibble by
     * nibble in the segment, a 7B file took several times longer to load).
     */
    public static final class RowWriter {
        private final DType type;
        private final MemorySegment nibbles;
        private final long rows;
        private final int n;
        private final byte[] buffer;
        private long next;

        public RowWriter(DType type, MemorySegment nibbles, long rows, int n) {
            this.type = type;
            this.nibbles = nibbles;
            this.rows = rows;
            this.n = n;
            this.buffer = new byte[type == DType.Q4_0 && rows >= GROUP ? 32 * n : n / 2];
        }

        /** The next row's codes, codes[0 .. n). */
        public void put(int[] codes) {
            long r = next++;
            if (type == DType.Q4_0 && r < grouped(rows)) {
                int k = (int) (r % GROUP), shift = 4 * (k / 32);
                for (int i = 0, at = 2 * (k % 32); i < n; i += 2, at += 64) {
                    buffer[at] |= (byte) (codes[i] << shift);
                    buffer[at + 1] |= (byte) (codes[i + 1] << shift);
                }
                if (k == GROUP - 1) flush(r / GROUP * 32L * n, 32 * n);
                return;
            }
            for (int i = 0; i < n; i++) {
                long at = nibble(type, rows, n, r, i) - r * n; // from the row's first nibble
                buffer[(int) (at >> 1)] |= (byte) (codes[i] << 4 * (at & 1));
            }
            flush(r * (n / 2), n / 2);
        }

        private void flush(long at, int bytes) {
            MemorySegment.copy(buffer, 0, nibbles, ValueLayout.JAVA_BYTE, at, bytes);
            Arrays.fill(buffer, 0, bytes, (byte) 0);
        }
    }
}

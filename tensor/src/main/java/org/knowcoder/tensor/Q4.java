package org.knowcoder.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * How the engine holds 4-bit weights (Q4_0, Q4_K) in memory, and the plain scalar dequantization
 * that is the reference for the vector kernels ({@code Q4Rows}). Codes are stored as they are
 * (0..15), two a byte; {@link #nibble} says where each one is.
 *
 * <p>Rows come in groups of {@link #GROUP} = 64, the lanes of the kernels, which take a column of a
 * group in one vector and multiply it by that column's activation. A group's columns come in pairs
 * (c, c + 1), 64 bytes each: byte 2k + j holds column c + j of rows k (low nibble) and k + 32 (high
 * nibble) of the group. Read as 32 shorts, the pair gives column c in the low bytes and c + 1 in the
 * high ones. The rows past the last whole group are stored one after another, value i of a row in
 * byte i / 2 (low nibble for even i).
 *
 * <p>Scales, in the groups' order, no more bytes than GGUF's (so the copy is no larger than the file):
 * <ul>
 *   <li>Q4_0: one F16 d per block of 32 values, value = (q - 8) d; a group's 64 d of one block side
 *       by side ({@link #scaleIndex}).</li>
 *   <li>Q4_K: per super-block of 256 values the 6-bit scales sc[0..8) and mins m[0..8) of its eight
 *       blocks of 32 and an F16 d and dmin, value = d sc[j] q - dmin m[j]: {@link #RECORD} bytes a
 *       row, as GGUF's. Block j's byte holds sc[j] in its low six bits and the low two bits of m[j]
 *       above them; the high four bits of m[j] and m[j + 4] (j < 4) share a byte, low nibble and high
 *       ({@link #scale}, {@link #min}). A group's records of one super-block are {@link #GROUP}
 *       records' worth: for each block its 64 scale bytes (byte 2k: row k, 2k + 1: row k + 32, as the
 *       nibbles), then for each j < 4 the 64 bytes of mins' high bits so, then the 64 d and the 64
 *       dmin in row order. A row past the groups has its records one after another: the 8 scale
 *       bytes, the 4 bytes of mins' high bits, d, dmin.</li>
 * </ul>
 */
public final class Q4 {
    private Q4() {}

    /** Values under one scale: a Q4_0 block, a Q4_K sub-block. */
    public static final int BLOCK = 32;
    /** Values of a Q4_K super-block. */
    public static final int SUPER = 256;
    /** Rows of a group. */
    public static final int GROUP = 64;
    /** Bytes of a Q4_K super-block's scales for one row: 8 scales and mins of 6 bits, F16 d, F16 dmin. */
    public static final int RECORD = 16;

    /** Values per scale group of {@code type}'s rows: rows must be a multiple of it. */
    public static int rowMultiple(DType type) {
        return type == DType.Q4_K ? SUPER : BLOCK;
    }

    /** Bytes of scales for {@code numel} values of {@code type}. */
    public static long scaleBytes(DType type, long numel) {
        return type == DType.Q4_K ? numel / SUPER * RECORD : numel / BLOCK * 2;
    }

    /** Rows of a tensor of {@code rows} rows laid out in groups: all but the last rows % 64. */
    public static long grouped(long rows) {
        return rows - rows % GROUP;
    }

    /** Where value i of row r of a [rows, n] tensor is: the index of its nibble, byte * 2 plus one for a high nibble. */
    public static long nibble(long rows, int n, long r, int i) {
        if (r >= grouped(rows)) return r * n + i;
        int k = (int) (r % GROUP);
        return 2 * (r / GROUP * 32L * n + i / 2 * 64L + lane(k) + i % 2) + k / 32;
    }

    /** The byte (of two) of a group's pair of columns, or of its 64 Q4_K scales, that holds row k's. */
    private static int lane(int k) {
        return 2 * (k % 32);
    }

    /** The index of the F16 scale of block b (values 32b .. 32b + 31) of row r of a [rows, n] Q4_0 tensor. */
    public static long scaleIndex(long rows, int n, long r, int b) {
        int blocks = n / BLOCK;
        return r < grouped(rows) ? (r / GROUP * blocks + b) * GROUP + r % GROUP : r * blocks + b;
    }

    /** Byte of a [rows, n] Q4_K tensor's scales holding the 6-bit scale of block b (values 32b ..) of row r, and the low two bits of its min. */
    public static long scaleAt(long rows, int n, long r, int b) {
        if (r >= grouped(rows)) return rowRecord(n, r, b) + b % 8;
        int k = (int) (r % GROUP);
        return groupRecords(n, r, b) + 64 * (b % 8) + lane(k) + k / 32;
    }

    /** Byte holding the high four bits of the block's min: its low nibble for blocks 0-3 of a super-block, its high one for 4-7. */
    public static long minsAt(long rows, int n, long r, int b) {
        if (r >= grouped(rows)) return rowRecord(n, r, b) + 8 + b % 4;
        int k = (int) (r % GROUP);
        return groupRecords(n, r, b) + 8 * 64 + 64 * (b % 4) + lane(k) + k / 32;
    }

    /** Byte of the F16 d of the super-block holding block b of row r of a [rows, n] Q4_K tensor. */
    public static long dAt(long rows, int n, long r, int b) {
        return r < grouped(rows) ? groupRecords(n, r, b) + 12 * 64 + 2 * (r % GROUP) : rowRecord(n, r, b) + 12;
    }

    /** The same for its F16 dmin. */
    public static long dminAt(long rows, int n, long r, int b) {
        return r < grouped(rows) ? dAt(rows, n, r, b) + 2 * 64 : rowRecord(n, r, b) + 14;
    }

    /** The 6-bit scale of block b of row r of a [rows, n] Q4_K tensor, from its scales s. */
    public static int scale(MemorySegment s, long rows, int n, long r, int b) {
        return s.get(ValueLayout.JAVA_BYTE, scaleAt(rows, n, r, b)) & 0x3F;
    }

    /** The 6-bit min of block b of row r. */
    public static int min(MemorySegment s, long rows, int n, long r, int b) {
        int high = s.get(ValueLayout.JAVA_BYTE, minsAt(rows, n, r, b)) >> 4 * (b % 8 / 4) & 0xF;
        return s.get(ValueLayout.JAVA_BYTE, scaleAt(rows, n, r, b)) >> 6 & 3 | high << 2;
    }

    /** Sets the 6-bit scale sc and min m of block b of row r (the other block's nibble of the shared byte kept). */
    public static void setScaleAndMin(MemorySegment s, long rows, int n, long r, int b, int sc, int m) {
        if ((sc | m) >>> 6 != 0) throw new IllegalArgumentException("Q4_K scale " + sc + " and min " + m + ": six bits each");
        s.set(ValueLayout.JAVA_BYTE, scaleAt(rows, n, r, b), (byte) (sc | (m & 3) << 6));
        long at = minsAt(rows, n, r, b);
        int shift = 4 * (b % 8 / 4);
        s.set(ValueLayout.JAVA_BYTE, at, (byte) (s.get(ValueLayout.JAVA_BYTE, at) & ~(0xF << shift) | (m >> 2) << shift));
    }

    /** Where the records of row r's group for the super-block of block b start. */
    private static long groupRecords(int n, long r, int b) {
        return (r / GROUP * (n / SUPER) + b / 8) * GROUP * RECORD;
    }

    /** Where the record of row r (past the groups) for the super-block of block b is. */
    private static long rowRecord(int n, long r, int b) {
        return (r * (n / SUPER) + b / 8) * RECORD;
    }

    /** The 4-bit code (0..15) of element {@code index} of the flattened tensor. */
    public static int code(Tensor t, long index) {
        int n = t.cols();
        long at = nibble(t.rows(), n, index / n, (int) (index % n));
        return t.data().get(ValueLayout.JAVA_BYTE, at >> 1) >> 4 * (at & 1) & 0xF;
    }

    /** Element {@code index} of a Q4_0 or Q4_K tensor, dequantized: the definition the kernels must match. */
    public static float value(Tensor t, long index) {
        int q = code(t, index), n = t.cols(), b = (int) (index % n / BLOCK);
        long rows = t.rows(), r = index / n;
        if (t.dtype() == DType.Q4_0) return (q - 8) * t.scale(scaleIndex(rows, n, r, b));
        MemorySegment s = t.scales();
        float d = Half.f16ToFloat(s.get(Tensor.I16_LE, dAt(rows, n, r, b))), dmin = Half.f16ToFloat(s.get(Tensor.I16_LE, dminAt(rows, n, r, b)));
        return d * scale(s, rows, n, r, b) * q - dmin * min(s, rows, n, r, b);
    }

    /**
     * Puts the codes of a [rows, n] tensor into its nibbles where {@link #nibble} says, row after
     * row; a group is assembled in an array and copied whole (set nibble by nibble in the segment,
     * a 7B file took several times longer to load).
     */
    public static final class RowWriter {
        private final MemorySegment nibbles;
        private final long rows;
        private final int n;
        private final byte[] buffer;
        private long next;

        public RowWriter(MemorySegment nibbles, long rows, int n) {
            this.nibbles = nibbles;
            this.rows = rows;
            this.n = n;
            this.buffer = new byte[rows >= GROUP ? 32 * n : n / 2];
        }

        /** The next row's codes, codes[0 .. n). */
        public void put(int[] codes) {
            long r = next++;
            if (r < grouped(rows)) {
                int k = (int) (r % GROUP), shift = 4 * (k / 32);
                for (int i = 0, at = lane(k); i < n; i += 2, at += 64) {
                    buffer[at] |= (byte) (codes[i] << shift);
                    buffer[at + 1] |= (byte) (codes[i + 1] << shift);
                }
                if (k == GROUP - 1) flush(r / GROUP * 32L * n, 32 * n);
                return;
            }
            for (int i = 0; i < n; i += 2) buffer[i / 2] = (byte) (codes[i] | codes[i + 1] << 4);
            flush(r * (n / 2), n / 2);
        }

        private void flush(long at, int bytes) {
            MemorySegment.copy(buffer, 0, nibbles, ValueLayout.JAVA_BYTE, at, bytes);
            Arrays.fill(buffer, 0, bytes, (byte) 0);
        }
    }
}

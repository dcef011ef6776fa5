package org.knowcoder.model.format;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * GGUF's 4-bit blocks to and from the engine's {@link Q4} layout. The block formats (ggml's public
 * description):
 * <ul>
 *   <li>Q4_0, 18 bytes per 32 values: F16 d, then 16 bytes whose byte k holds value k in its low
 *       nibble and value k + 16 in its high one; value = (q - 8) d.</li>
 *   <li>Q4_K, 144 bytes per 256: F16 d, F16 dmin, 12 bytes of 6-bit scales and mins of the eight
 *       blocks of 32 ({@link #unpackScales}), then 128 bytes in four runs of 32: byte k of run g
 *       holds value 64g + k low and 64g + 32 + k high; value = d sc[j] q - dmin m[j].</li>
 * </ul>
 * The types the engine has no kernel for (Q6_K, Q5_K, Q5_0, ...) are widened at load by {@link GgufWidening}.
 */
final class GgufQ4Blocks {
    private GgufQ4Blocks() {}

    /** Blocks of a GGUF Q4_0 or Q4_K tensor as an engine tensor in {@code arena}. */
    static Tensor read(String name, GgmlType type, MemorySegment blocks, long[] shape, Arena arena) {
        DType dtype = type == GgmlType.Q4_0 ? DType.Q4_0 : DType.Q4_K;
        long numel = blocks.byteSize() / type.blockBytes * type.blockSize;
        int n = Math.toIntExact(shape[shape.length - 1]);
        long rows = numel / n, blocksPerRow = n / type.blockSize;
        MemorySegment nibbles = arena.allocate(numel / 2, 64), scales = arena.allocate(Q4.scaleBytes(dtype, numel), 64);
        byte[] in = new byte[Math.toIntExact(blocksPerRow * type.blockBytes)];
        if (type == GgmlType.Q4_0) {
            // a row's codes taken out of a copy of its blocks, then laid out by the writer
            int[] codes = new int[n];
            Q4.RowWriter writer = new Q4.RowWriter(dtype, nibbles, rows, n);
            for (long row = 0; row < rows; row++) {
                MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, row * in.length, in, 0, in.length);
                for (int b = 0; b < blocksPerRow; b++) {
                    int at = b * type.blockBytes;
                    scales.set(Tensor.I16_LE, Q4.scaleIndex(rows, n, row, b) * 2, (short) (in[at] & 0xFF | in[at + 1] << 8));
                    for (int k = 0; k < 16; k++) {
                        codes[b * Q4.BLOCK + k] = in[at + 2 + k] & 0xF;
                        codes[b * Q4.BLOCK + 16 + k] = in[at + 2 + k] >> 4 & 0xF;
                    }
                }
                writer.put(codes);
            }
            return Tensor.q4(name, dtype, nibbles, scales, shape);
        }
        for (long b = 0; b < numel / type.blockSize; b++) {
            long at = b * type.blockBytes, record = b * Q4.RECORD;
            scales.set(Tensor.I16_LE, record + Q4.D, blocks.get(Tensor.I16_LE, at));
            scales.set(Tensor.I16_LE, record + Q4.DMIN, blocks.get(Tensor.I16_LE, at + 2));
            unpackScales(blocks.asSlice(at + 4, 12), scales, record);
        }
        // whole chunks a row at a time, from a copy of the row's blocks: a chunk's 64 bytes are whole
        // bytes of its blocks, rearranged (bytesOfChunk); value by value, each a read-modify-write of
        // the segment, this was most of a Q4 file's load (bench/README.md)
        int whole = n - n % Q4.CHUNK, lanes = Q4.CHUNK / 8;
        int[] ints = new int[whole / 8];
        for (long row = 0; row < rows; row++) {
            long rowBlocks = row * blocksPerRow * type.blockBytes, rowBase = row * (n / 2);
            MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, rowBlocks, in, 0, in.length);
            for (int c = 0; c < whole / Q4.CHUNK; c++) bytesOfChunk(in, c, ints, c * lanes);
            MemorySegment.copy(ints, 0, nibbles, INT_LE, rowBase, ints.length);
            for (int i = whole; i < n; i++) setNibble(nibbles, rowBase + Q4.byteOf(n, i), Q4.shiftOf(n, i), code(blocks, type, rowBlocks + 16, i));
        }
        return Tensor.q4(name, dtype, nibbles, scales, shape);
    }

    /**
     * Whole chunk c of a Q4_K row whose GGUF blocks are {@code in}, as the 16 ints of the engine's
     * layout (int l, nibble p: value 16p + l of the chunk; see {@link Q4}) into ints[at ..]. The
     * chunk is half a super-block, runs 2h and 2h + 1 of its four runs of 32 bytes (h = c % 2);
     * value 16p + l is byte l (p % 4 of 0, 2) or 16 + l (1, 3) of run 2h + p / 4, low nibble for
     * p % 4 below 2.
     */
    private static void bytesOfChunk(byte[] in, int c, int[] ints, int at) {
        for (int l = 0; l < Q4.CHUNK / 8; l++) {
            int run = c / 2 * GgmlType.Q4_K.blockBytes + 16 + 64 * (c % 2) + l; // byte l of run 2h, after d, dmin and the 12 scale bytes
            ints[at + l] = pair(in[run], in[run + 16]) | pair(in[run + 32], in[run + 48]) << 16;
        }
    }

    /** Nibbles p = 0..3 of a Q4_K run's bytes a (byte l) and b (byte 16 + l): a low, b low, a high, b high. */
    private static int pair(byte a, byte b) {
        return a & 0xF | (b & 0xF) << 4 | (a >> 4 & 0xF) << 8 | (b >> 4 & 0xF) << 12;
    }

    /** The 4-bit code of value i of a row whose GGUF blocks' first code byte is at {@code rowBlocks}. */
    private static int code(MemorySegment blocks, GgmlType type, long rowBlocks, int i) {
        int k = i % type.blockSize;
        return blocks.get(ValueLayout.JAVA_BYTE, rowBlocks + (long) (i / type.blockSize) * type.blockBytes + codeByte(type, k)) >> codeShift(type, k) & 0xF;
    }

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Rows of the engine Q4 tensor {@code q} (in {@code order} when non-null) as GGUF blocks of its type. */
    static void write(TensorOutput out, Tensor q, int[] order) throws IOException {
        GgmlType type = q.dtype() == DType.Q4_0 ? GgmlType.Q4_0 : GgmlType.Q4_K;
        int n = q.cols();
        long blocksPerRow = n / type.blockSize;
        byte[] block = new byte[type.blockBytes];
        MemorySegment b = MemorySegment.ofArray(block);
        for (long r = 0; r < q.rows(); r++) {
            long src = order == null ? r : order[(int) r];
            for (long i = 0; i < blocksPerRow; i++) {
                long index = src * n + i * type.blockSize;
                Arrays.fill(block, (byte) 0);
                if (type == GgmlType.Q4_0) {
                    b.set(Tensor.I16_LE, 0, q.scales().get(Tensor.I16_LE, Q4.scaleIndex(q.rows(), n, src, (int) i) * 2));
                } else {
                    long record = index / Q4.SUPER * Q4.RECORD;
                    b.set(Tensor.I16_LE, 0, q.scales().get(Tensor.I16_LE, record + Q4.D));
                    b.set(Tensor.I16_LE, 2, q.scales().get(Tensor.I16_LE, record + Q4.DMIN));
                    packScales(q.scales(), record, block, 4);
                }
                int codes = type == GgmlType.Q4_0 ? 2 : 16;
                for (int k = 0; k < type.blockSize; k++) block[codes + codeByte(type, k)] |= (byte) (Q4.code(q, index + k) << codeShift(type, k));
                out.bytes(block);
            }
        }
    }

    /** The byte (from the block's first code byte) holding value k of a GGUF block. */
    private static int codeByte(GgmlType type, int k) {
        return type == GgmlType.Q4_0 ? k % 16 : k / 64 * 32 + k % 32;
    }

    private static int codeShift(GgmlType type, int k) {
        return (type == GgmlType.Q4_0 ? k / 16 : k % 64 / 32) * 4;
    }

    private static void setNibble(MemorySegment nibbles, long at, int shift, int code) {
        nibbles.set(ValueLayout.JAVA_BYTE, at, (byte) (nibbles.get(ValueLayout.JAVA_BYTE, at) | code << shift));
    }

    /**
     * Q4_K's 12 bytes of scales and mins into a record's sc[0..8) and m[0..8): for j < 4, sc[j] and
     * m[j] are the low 6 bits of bytes j and j + 4; for j >= 4 their low 4 bits are the low and high
     * nibble of byte j + 4, and their top 2 bits the top 2 bits of bytes j - 4 (sc) and j (m).
     */
    static void unpackScales(MemorySegment packed, MemorySegment scales, long record) {
        for (int j = 0; j < 8; j++) {
            int sc, m;
            if (j < 4) {
                sc = u8(packed, j) & 63;
                m = u8(packed, j + 4) & 63;
            } else {
                sc = u8(packed, j + 4) & 0xF | (u8(packed, j - 4) >> 6) << 4;
                m = u8(packed, j + 4) >> 4 | (u8(packed, j) >> 6) << 4;
            }
            scales.set(ValueLayout.JAVA_BYTE, record + j, (byte) sc);
            scales.set(ValueLayout.JAVA_BYTE, record + 8 + j, (byte) m);
        }
    }

    /** The inverse of {@link #unpackScales}, into block[at .. at + 12). */
    private static void packScales(MemorySegment scales, long record, byte[] block, int at) {
        for (int j = 0; j < 8; j++) {
            int sc = scales.get(ValueLayout.JAVA_BYTE, record + j), m = scales.get(ValueLayout.JAVA_BYTE, record + 8 + j);
            if (j < 4) {
                block[at + j] |= (byte) sc;
                block[at + j + 4] |= (byte) m;
            } else {
                block[at + j + 4] = (byte) (sc & 0xF | (m & 0xF) << 4);
                block[at + j - 4] |= (byte) ((sc >> 4) << 6);
                block[at + j] |= (byte) ((m >> 4) << 6);
            }
        }
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}

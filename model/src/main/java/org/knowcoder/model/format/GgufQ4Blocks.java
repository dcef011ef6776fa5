package org.knowcoder.model.format;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * GGUF's 4-bit blocks to and from the engine's {@link Q4} layout. The block formats (ggml's public
 * description):
 * <ul>
 *   <li>Q4_0, 18 bytes per 32 values: F16 d, then 16 bytes whose byte k holds value k in its low
 *       nibble and value k + 16 in its high one; value = (q - 8) d.</li>
 *   <li>Q4_K, 144 bytes per 256: F16 d, F16 dmin, 12 bytes of 6-bit scales and mins of the eight
 *       blocks of 32 ({@link #sixBits}), then 128 bytes in four runs of 32: byte k of run g
 *       holds value 64g + k low and 64g + 32 + k high; value = d sc[j] q - dmin m[j].</li>
 * </ul>
 * The types the engine has no kernel for (Q6_K, Q5_K, Q5_0, ...) are widened at load by {@link GgufWidening}.
 */
final class GgufQ4Blocks {
    private GgufQ4Blocks() {}

    /**
     * Blocks of a GGUF Q4_0 or Q4_K tensor as an engine tensor in {@code arena}: a row's codes taken
     * out of a copy of its blocks and laid out by {@link Q4.RowWriter}, its scales put where {@link Q4} keeps them.
     */
    static Tensor read(String name, GgmlType type, MemorySegment blocks, long[] shape, Arena arena) {
        DType dtype = type == GgmlType.Q4_0 ? DType.Q4_0 : DType.Q4_K;
        long numel = blocks.byteSize() / type.blockBytes * type.blockSize;
        int n = Math.toIntExact(shape[shape.length - 1]), blocksPerRow = n / type.blockSize;
        long rows = numel / n;
        MemorySegment nibbles = arena.allocate(numel / 2, 64), scales = arena.allocate(Q4.scaleBytes(dtype, numel), 64);
        byte[] in = new byte[blocksPerRow * type.blockBytes];
        MemorySegment row = MemorySegment.ofArray(in);
        int[] codes = new int[n];
        Q4.RowWriter writer = new Q4.RowWriter(nibbles, rows, n);
        int first = type == GgmlType.Q4_0 ? 2 : 16; // the first code byte of a block
        for (long r = 0; r < rows; r++) {
            MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, r * in.length, in, 0, in.length);
            for (int b = 0; b < blocksPerRow; b++) {
                int at = b * type.blockBytes;
                for (int k = 0; k < type.blockSize; k++) codes[b * type.blockSize + k] = in[at + first + codeByte(type, k)] >> codeShift(type, k) & 0xF;
                if (type == GgmlType.Q4_0) {
                    scales.set(Tensor.I16_LE, Q4.scaleIndex(rows, n, r, b) * 2, row.get(Tensor.I16_LE, at));
                } else {
                    int block = 8 * b; // the super-block's first block of 32
                    scales.set(Tensor.I16_LE, Q4.dAt(rows, n, r, block), row.get(Tensor.I16_LE, at));
                    scales.set(Tensor.I16_LE, Q4.dminAt(rows, n, r, block), row.get(Tensor.I16_LE, at + 2));
                    for (int j = 0; j < 8; j++) Q4.setScaleAndMin(scales, rows, n, r, block + j, sixBits(row, at + 4, j, false), sixBits(row, at + 4, j, true));
                }
            }
            writer.put(codes);
        }
        return Tensor.q4(name, dtype, nibbles, scales, shape);
    }

    /** Rows of the engine Q4 tensor {@code q} (in {@code order} when non-null) as GGUF blocks of its type. */
    static void write(TensorOutput out, Tensor q, int[] order) throws IOException {
        GgmlType type = q.dtype() == DType.Q4_0 ? GgmlType.Q4_0 : GgmlType.Q4_K;
        int n = q.cols();
        long rows = q.rows(), blocksPerRow = n / type.blockSize;
        byte[] block = new byte[type.blockBytes];
        MemorySegment b = MemorySegment.ofArray(block), scales = q.scales();
        for (long r = 0; r < rows; r++) {
            long src = order == null ? r : order[(int) r];
            for (int i = 0; i < blocksPerRow; i++) {
                long index = src * n + (long) i * type.blockSize;
                Arrays.fill(block, (byte) 0);
                if (type == GgmlType.Q4_0) {
                    b.set(Tensor.I16_LE, 0, scales.get(Tensor.I16_LE, Q4.scaleIndex(rows, n, src, i) * 2));
                } else {
                    int first = 8 * i;
                    b.set(Tensor.I16_LE, 0, scales.get(Tensor.I16_LE, Q4.dAt(rows, n, src, first)));
                    b.set(Tensor.I16_LE, 2, scales.get(Tensor.I16_LE, Q4.dminAt(rows, n, src, first)));
                    for (int j = 0; j < 8; j++) {
                        packSixBits(block, 4, j, Q4.scale(scales, rows, n, src, first + j), Q4.min(scales, rows, n, src, first + j));
                    }
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

    /**
     * Block j's 6-bit scale (or min) from Q4_K's 12 bytes of scales and mins at packed[at ..]: for
     * j < 4, sc[j] and m[j] are the low 6 bits of bytes j and j + 4; for j >= 4 their low 4 bits are
     * the low and high nibble of byte j + 4, and their top 2 bits the top 2 bits of bytes j - 4 (sc)
     * and j (m).
     */
    static int sixBits(MemorySegment packed, long at, int j, boolean min) {
        if (j < 4) return u8(packed, at + j + (min ? 4 : 0)) & 63;
        int low = min ? u8(packed, at + j + 4) >> 4 : u8(packed, at + j + 4) & 0xF;
        return low | (u8(packed, at + j - (min ? 0 : 4)) >> 6) << 4;
    }

    /** The inverse of {@link #sixBits} for block j's scale sc and min m, into block[at .. at + 12). */
    private static void packSixBits(byte[] block, int at, int j, int sc, int m) {
        if (j < 4) {
            block[at + j] |= (byte) sc;
            block[at + j + 4] |= (byte) m;
        } else {
            block[at + j + 4] = (byte) (sc & 0xF | (m & 0xF) << 4);
            block[at + j - 4] |= (byte) ((sc >> 4) << 6);
            block[at + j] |= (byte) ((m >> 4) << 6);
        }
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}

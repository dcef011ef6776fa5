package org.knowcoder.model.format;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
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
        MemorySegment nibbles = arena.allocate(numel / 2, 64), scales = arena.allocate(Q4.scaleBytes(dtype, numel), 64);
        long blocksPerRow = n / type.blockSize;
        for (long b = 0; b < numel / type.blockSize; b++) {
            long at = b * type.blockBytes, row = b / blocksPerRow, rowBase = row * (n / 2);
            int first = (int) (b % blocksPerRow * type.blockSize);
            if (type == GgmlType.Q4_0) {
                scales.set(Tensor.F32_LE, b * 4, Half.f16ToFloat(blocks.get(Tensor.I16_LE, at)));
            } else {
                long record = b * Q4.RECORD;
                scales.set(Tensor.F32_LE, record + Q4.D, Half.f16ToFloat(blocks.get(Tensor.I16_LE, at)));
                scales.set(Tensor.F32_LE, record + Q4.DMIN, Half.f16ToFloat(blocks.get(Tensor.I16_LE, at + 2)));
                unpackScales(blocks.asSlice(at + 4, 12), scales, record);
            }
            long codes = at + (type == GgmlType.Q4_0 ? 2 : 16);
            for (int k = 0; k < type.blockSize; k++) {
                int code = blocks.get(ValueLayout.JAVA_BYTE, codes + codeByte(type, k)) >> codeShift(type, k) & 0xF;
                setNibble(nibbles, rowBase + Q4.byteOf(n, first + k), Q4.shiftOf(n, first + k), code);
            }
        }
        return Tensor.q4(name, dtype, nibbles, scales, shape);
    }

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
                    b.set(Tensor.I16_LE, 0, Half.floatToF16(q.scales().get(Tensor.F32_LE, index / Q4.BLOCK * 4)));
                } else {
                    long record = index / Q4.SUPER * Q4.RECORD;
                    b.set(Tensor.I16_LE, 0, Half.floatToF16(q.scales().get(Tensor.F32_LE, record + Q4.D)));
                    b.set(Tensor.I16_LE, 2, Half.floatToF16(q.scales().get(Tensor.F32_LE, record + Q4.DMIN)));
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

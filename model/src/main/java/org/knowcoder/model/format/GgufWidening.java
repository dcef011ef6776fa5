package org.knowcoder.model.format;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * GGUF block types the engine has no kernel for, widened to F32 at load. llama.cpp writes them
 * beside its main type: Q6_K for {@code output.weight}, Q5_K for some matrices of its Q4_K_S mix,
 * and Q5_0, Q5_1 or Q4_1 for matrices whose rows are not whole blocks of 256. The block formats
 * (ggml's public description), values {@code q} unsigned unless said:
 * <ul>
 *   <li>Q4_1, 20 bytes per 32: F16 d, F16 m, 16 bytes whose byte k holds value k in its low nibble
 *       and value k + 16 in its high one; value = d q + m.</li>
 *   <li>Q5_0, 22 bytes per 32: F16 d, a little-endian uint32 of high bits (bit k for value k), then
 *       the low nibbles as in Q4_1; value = d (q - 16).</li>
 *   <li>Q5_1, 24 bytes per 32: F16 d, F16 m, then as Q5_0; value = d q + m.</li>
 *   <li>Q5_K, 176 bytes per 256: F16 d, F16 dmin, 12 bytes of 6-bit scales and mins of the eight
 *       blocks of 32 (packed as Q4_K's), 32 bytes of high bits, then 128 bytes in four runs of 32:
 *       byte k of run g holds the low nibbles of values 64g + k (low) and 64g + 32 + k (high),
 *       whose high bits are bits 2g and 2g + 1 of high-bit byte k; value = d sc[j] q - dmin m[j].</li>
 *   <li>Q6_K, 210 bytes per 256: see {@link #q6k}.</li>
 * </ul>
 * Each value is rounded once, as ggml's own dequantization rounds it. The cost is memory: F32
 * takes 5 to 7 times the block bytes, which is why only these secondary types are widened (a whole
 * model in them would rather be requantized by llama.cpp to Q4_K or Q8_0, which the engine runs).
 */
final class GgufWidening {
    private GgufWidening() {}

    private static final ValueLayout.OfInt U32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Blocks of a GGUF tensor of type Q4_1, Q5_0, Q5_1, Q5_K or Q6_K as an F32 engine tensor in {@code arena}. */
    static Tensor widen(String name, GgmlType type, MemorySegment blocks, long[] shape, Arena arena) {
        long count = blocks.byteSize() / type.blockBytes;
        MemorySegment values = arena.allocate(count * type.blockSize * 4, 64);
        float[] block = new float[type.blockSize];
        for (long b = 0; b < count; b++) {
            long at = b * type.blockBytes;
            switch (type) {
                case Q4_1 -> small(blocks, at, false, true, block);
                case Q5_0 -> small(blocks, at, true, false, block);
                case Q5_1 -> small(blocks, at, true, true, block);
                case Q5_K -> q5k(blocks, at, block);
                case Q6_K -> q6k(blocks, at, block);
                default -> throw new IllegalArgumentException(type + " is not widened at load");
            }
            MemorySegment.copy(block, 0, values, Tensor.F32_LE, b * type.blockSize * 4, block.length);
        }
        return Tensor.of(name, DType.F32, values, shape);
    }

    /** A block of 32 of Q4_1 ({@code fifthBit} false), Q5_0 ({@code withMin} false) or Q5_1. */
    private static void small(MemorySegment s, long at, boolean fifthBit, boolean withMin, float[] out) {
        float d = f16(s, at), m = withMin ? f16(s, at + 2) : 0;
        long high = at + (withMin ? 4 : 2), nibbles = high + (fifthBit ? 4 : 0);
        int highBits = fifthBit ? s.get(U32_LE, high) : 0;
        for (int k = 0; k < 32; k++) {
            int q = u8(s, nibbles + k % 16) >> 4 * (k / 16) & 0xF | (highBits >>> k & 1) << 4;
            out[k] = withMin ? d * q + m : d * (q - 16);
        }
    }

    private static void q5k(MemorySegment s, long at, float[] out) {
        float d = f16(s, at), dmin = f16(s, at + 2);
        long high = at + 16, nibbles = at + 48;
        for (int i = 0; i < 256; i++) {
            int j = i / 32, g = i / 64, k = i % 32;
            int q = u8(s, nibbles + 32 * g + k) >> 4 * (j % 2) & 0xF | (u8(s, high + k) >> j & 1) << 4;
            out[i] = d * GgufQ4Blocks.sixBits(s, at + 4, j, false) * q - dmin * GgufQ4Blocks.sixBits(s, at + 4, j, true);
        }
    }

    /**
     * Q6_K, 210 bytes per 256: 128 bytes of low nibbles, 64 of high bit pairs, 16 int8 scales (one
     * per 16 values), F16 d; value = d scale (q - 32). In two halves of 128: value 128h + 32c + l
     * (c < 4, l < 32) has its low 4 bits in byte 64h + 32 (c % 2) + l of the low-nibble run (the low
     * nibble for c < 2, the high one else), its top 2 bits at bits 2c of byte 32h + l of the
     * high-bit run, and scale 8h + 2c + l / 16.
     */
    private static void q6k(MemorySegment s, long at, float[] out) {
        long low = at, high = at + 128, scale = at + 192;
        float d = f16(s, at + 208);
        for (int i = 0; i < 256; i++) {
            int h = i / 128, c = i % 128 / 32, l = i % 32;
            int q = u8(s, low + 64 * h + 32 * (c % 2) + l) >> 4 * (c / 2) & 0xF | (u8(s, high + 32 * h + l) >> 2 * c & 3) << 4;
            out[i] = d * s.get(ValueLayout.JAVA_BYTE, scale + 8 * h + 2 * c + l / 16) * (q - 32);
        }
    }

    private static float f16(MemorySegment s, long at) {
        return Half.f16ToFloat(s.get(Tensor.I16_LE, at));
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}

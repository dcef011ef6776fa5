package org.knowcoder.model.format;

import org.junit.jupiter.api.Test;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.model.format.GgufQ4BlocksTest.assertValues;
import static org.knowcoder.model.format.GgufQ4BlocksTest.SC;
import static org.knowcoder.model.format.GgufQ4BlocksTest.put16;
import static org.knowcoder.model.format.GgufQ4BlocksTest.putScalesAndMins;

/**
 * Blocks of the types widened at load, built byte by byte from ggml's public description; the
 * expected values follow the description's own loops (per half of 16, per run of 64 with a moving
 * high-bit mask), not the reader's index arithmetic.
 */
class GgufWideningTest {
    private static final float D = Half.f16ToFloat(Half.floatToF16(0.03f)), M = Half.f16ToFloat(Half.floatToF16(-0.7f));

    @Test
    void q41IsScaleTimesNibblePlusMin() {
        byte[] block = new byte[20];
        put16(block, 0, Half.floatToF16(D));
        put16(block, 2, Half.floatToF16(M));
        float[] want = new float[32];
        for (int j = 0; j < 16; j++) {
            block[4 + j] = (byte) (j * 11 + 3);
            want[j] = (block[4 + j] & 0x0F) * D + M;
            want[j + 16] = ((block[4 + j] & 0xFF) >> 4) * D + M;
        }
        assertValues(want, widen(GgmlType.Q4_1, block, 32), DType.F32);
    }

    @Test
    void q50TakesEachValuesFifthBitFromTheHighWord() {
        byte[] block = new byte[22];
        put16(block, 0, Half.floatToF16(D));
        int qh = 0x9A3C_51E7;
        for (int i = 0; i < 4; i++) block[2 + i] = (byte) (qh >>> 8 * i);
        float[] want = new float[32];
        for (int j = 0; j < 16; j++) {
            block[6 + j] = (byte) (j * 29 + 7);
            int xh0 = ((qh >>> j) << 4) & 0x10, xh1 = (qh >>> (j + 12)) & 0x10;
            want[j] = (((block[6 + j] & 0x0F) | xh0) - 16) * D;
            want[j + 16] = ((((block[6 + j] & 0xFF) >> 4) | xh1) - 16) * D;
        }
        assertValues(want, widen(GgmlType.Q5_0, block, 32), DType.F32);
    }

    @Test
    void q51AddsItsMinToUnsignedFiveBitValues() {
        byte[] block = new byte[24];
        put16(block, 0, Half.floatToF16(D));
        put16(block, 2, Half.floatToF16(M));
        int qh = 0x0F0F_A5C3;
        for (int i = 0; i < 4; i++) block[4 + i] = (byte) (qh >>> 8 * i);
        float[] want = new float[32];
        for (int j = 0; j < 16; j++) {
            block[8 + j] = (byte) (j * 13 + 1);
            int xh0 = ((qh >>> j) << 4) & 0x10, xh1 = (qh >>> (j + 12)) & 0x10;
            want[j] = ((block[8 + j] & 0x0F) | xh0) * D + M;
            want[j + 16] = (((block[8 + j] & 0xFF) >> 4) | xh1) * D + M;
        }
        assertValues(want, widen(GgmlType.Q5_1, block, 32), DType.F32);
    }

    @Test
    void q5kUnpacksQ4kScalesAndAHighBitPerRunOf32() {
        byte[] block = new byte[176];
        float d = 0.25f, dmin = 0.125f;
        putScalesAndMins(block, d, dmin); // packed as Q4_K's
        int[] sc = SC, m = GgufQ4BlocksTest.M;
        for (int l = 0; l < 32; l++) block[16 + l] = (byte) (l * 37 + 5);
        for (int l = 0; l < 128; l++) block[48 + l] = (byte) (l * 53 + 9);
        float[] want = new float[256];
        int y = 0, is = 0, u1 = 1, u2 = 2;
        for (int j = 0, ql = 48; j < 256; j += 64, ql += 32, is += 2, u1 <<= 2, u2 <<= 2) {
            float d1 = d * sc[is], m1 = dmin * m[is], d2 = d * sc[is + 1], m2 = dmin * m[is + 1];
            for (int l = 0; l < 32; l++) want[y++] = d1 * ((block[ql + l] & 0xF) + ((block[16 + l] & u1) != 0 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) want[y++] = d2 * (((block[ql + l] & 0xFF) >> 4) + ((block[16 + l] & u2) != 0 ? 16 : 0)) - m2;
        }
        assertValues(want, widen(GgmlType.Q5_K, block, 256), DType.F32);
    }

    @Test
    void q6kBlockCombinesLowNibblesHighBitPairsAndSignedScales() {
        byte[] block = new byte[210];
        for (int i = 0; i < 128; i++) block[i] = (byte) (i * 37 + 11);
        for (int i = 0; i < 64; i++) block[128 + i] = (byte) (i * 53 + 5);
        for (int i = 0; i < 16; i++) block[192 + i] = (byte) (i * 9 - 70);
        put16(block, 208, Half.floatToF16(0.01f));
        float d = Half.f16ToFloat(Half.floatToF16(0.01f));
        float[] want = new float[256];
        for (int half = 0; half < 2; half++) {
            int ql = 64 * half, qh = 128 + 32 * half, s = 192 + 8 * half, y = 128 * half;
            for (int l = 0; l < 32; l++) {
                int is = l / 16, h = block[qh + l] & 0xFF;
                want[y + l] = d * block[s + is] * (((block[ql + l] & 0xF) | (h & 3) << 4) - 32);
                want[y + l + 32] = d * block[s + is + 2] * (((block[ql + l + 32] & 0xF) | (h >> 2 & 3) << 4) - 32);
                want[y + l + 64] = d * block[s + is + 4] * (((block[ql + l] & 0xFF) >> 4 | (h >> 4 & 3) << 4) - 32);
                want[y + l + 96] = d * block[s + is + 6] * (((block[ql + l + 32] & 0xFF) >> 4 | (h >> 6 & 3) << 4) - 32);
            }
        }
        assertValues(want, widen(GgmlType.Q6_K, block, 256), DType.F32);
    }

    /** Two blocks, so that a reader that restarts each block at the wrong byte is caught too. */
    private static Tensor widen(GgmlType type, byte[] block, int n) {
        byte[] two = new byte[2 * block.length];
        System.arraycopy(block, 0, two, 0, block.length);
        System.arraycopy(block, 0, two, block.length, block.length);
        Tensor t = GgufWidening.widen("w", type, MemorySegment.ofArray(two), new long[] {2, n}, Arena.ofAuto());
        for (int i = 0; i < n; i++) assertEquals(t.get(i), t.get(n + i), "second block, value " + i);
        return t;
    }
}

package org.knowcoder.model.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Blocks built byte by byte from ggml's public description of Q4_0 and Q4_K, read into engine
 * tensors: every value must be the one the description gives. The expected values follow the
 * description's own loops (per half, per run of 32), not the reader's index arithmetic.
 */
class GgufQ4BlocksTest {
    @TempDir
    Path dir;

    @Test
    void q40BlockHoldsValueKLowAndValueKPlus16High() {
        byte[] block = new byte[18];
        put16(block, 0, Half.floatToF16(0.5f));
        float[] want = new float[32];
        for (int k = 0; k < 16; k++) {
            int low = k, high = (k * 7 + 3) % 16;
            block[2 + k] = (byte) (low | high << 4);
            want[k] = (low - 8) * 0.5f;
            want[k + 16] = (high - 8) * 0.5f;
        }
        assertValues(want, read(GgmlType.Q4_0, block, 32), DType.Q4_0);
    }

    @Test
    void q4kBlockUnpacksSixBitScalesAndMinsAndRunsOf64() {
        byte[] block = new byte[144];
        float d = 0.25f, dmin = 0.125f;
        putScalesAndMins(block, d, dmin);
        float[] want = new float[256];
        for (int g = 0; g < 4; g++) {
            for (int k = 0; k < 32; k++) {
                int low = (g * 5 + k) % 16, high = (g * 3 + k * 7) % 16;
                block[16 + 32 * g + k] = (byte) (low | high << 4);
                want[64 * g + k] = d * SC[2 * g] * low - dmin * M[2 * g];
                want[64 * g + 32 + k] = d * SC[2 * g + 1] * high - dmin * M[2 * g + 1];
            }
        }
        assertValues(want, read(GgmlType.Q4_K, block, 256), DType.Q4_K);
    }

    /** 131 rows of 160 values: two groups of 64 rows and three rows past them, each value where Q4 puts it. */
    @Test
    void q40RowsInGroupsAndPastThem() {
        int rows = 131, blocks = 5;
        byte[] data = new byte[rows * blocks * 18];
        float[] want = new float[rows * blocks * 32];
        for (int b = 0; b < rows * blocks; b++) {
            float d = 0.25f * (b + 1);
            put16(data, 18 * b, Half.floatToF16(d));
            for (int k = 0; k < 16; k++) {
                int low = (b * 5 + k) % 16, high = (b * 3 + k * 7) % 16;
                data[18 * b + 2 + k] = (byte) (low | high << 4);
                want[32 * b + k] = (low - 8) * d;
                want[32 * b + k + 16] = (high - 8) * d;
            }
        }
        Tensor t = GgufQ4Blocks.read("w", GgmlType.Q4_0, MemorySegment.ofArray(data), new long[] {rows, 32 * blocks}, Arena.ofAuto());
        assertValues(want, t, DType.Q4_0);
    }

    /** Q4_K super-blocks of 131 rows (groups and rows past them), each row's own d: read, written back, read again. */
    @Test
    void q4kRowsInGroupsGoBackToTheirBlocks() throws IOException {
        int rows = 131;
        byte[] data = new byte[rows * 144];
        float[] want = new float[rows * 256];
        for (int r = 0; r < rows; r++) {
            byte[] block = new byte[144];
            float d = 0.25f + r / 64f, dmin = 0.125f;
            putScalesAndMins(block, d, dmin);
            for (int g = 0; g < 4; g++) {
                for (int k = 0; k < 32; k++) {
                    int low = (g * 5 + k + r) % 16, high = (g * 3 + k * 7 + r) % 16;
                    block[16 + 32 * g + k] = (byte) (low | high << 4);
                    want[256 * r + 64 * g + k] = d * SC[2 * g] * low - dmin * M[2 * g];
                    want[256 * r + 64 * g + 32 + k] = d * SC[2 * g + 1] * high - dmin * M[2 * g + 1];
                }
            }
            System.arraycopy(block, 0, data, 144 * r, 144);
        }
        Tensor t = GgufQ4Blocks.read("w", GgmlType.Q4_K, MemorySegment.ofArray(data), new long[] {rows, 256}, Arena.ofAuto());
        assertValues(want, t, DType.Q4_K);
        Path file = dir.resolve("blocks");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            TensorOutput out = new TensorOutput(channel);
            GgufQ4Blocks.write(out, t, null);
            out.flush();
        }
        assertArrayEquals(data, Files.readAllBytes(file), "the blocks written back");
    }

    /** The K types' sub-block scales and mins used by the tests, {@link #SC} and {@link #M}. */
    static final int[] SC = {10, 17, 24, 31, 38, 45, 52, 59}, M = {63, 58, 53, 48, 1, 20, 33, 0};

    /** A K block's F16 d and dmin, then SC and M packed in its 12 bytes of 6-bit scales and mins. */
    static void putScalesAndMins(byte[] block, float d, float dmin) {
        put16(block, 0, Half.floatToF16(d));
        put16(block, 2, Half.floatToF16(dmin));
        // bytes 0-3: sc[0..4) in their low 6 bits, the top 2 bits of sc[4..8);
        // bytes 4-7: the same for m; bytes 8-11: sc[4..8) low 4 bits | m[4..8) low 4 bits << 4
        for (int j = 0; j < 4; j++) {
            block[4 + j] = (byte) (SC[j] | (SC[j + 4] >> 4) << 6);
            block[8 + j] = (byte) (M[j] | (M[j + 4] >> 4) << 6);
            block[12 + j] = (byte) (SC[j + 4] & 15 | (M[j + 4] & 15) << 4);
        }
    }

    private static Tensor read(GgmlType type, byte[] block, int n) {
        return GgufQ4Blocks.read("w", type, MemorySegment.ofArray(block), new long[] {1, n}, Arena.ofAuto());
    }

    static void assertValues(float[] want, Tensor t, DType dtype) {
        assertEquals(dtype, t.dtype());
        for (int i = 0; i < want.length; i++) assertEquals(want[i], t.get(i), "value " + i);
    }

    static void put16(byte[] b, int at, short v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }
}

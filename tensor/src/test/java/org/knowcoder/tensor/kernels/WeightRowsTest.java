package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.TestTensors;
import org.knowcoder.tensor.TestTensors.Weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.testing.Approx.assertDot;
import static org.knowcoder.tensor.TestTensors.randomFloats;

class WeightRowsTest {
    private static final int ROWS = 3, XO = 5;

    static Stream<Arguments> dtypesAndSizes() {
        return TestTensors.anyWidthTypes()
                .flatMap(d -> Arrays.stream(TestTensors.SIZES).mapToObj(n -> Arguments.of(d, n)));
    }

    /** Row r of w dotted with x[XO ..], through the activation layout prepare() makes for the dtype. */
    private static float dot(Weights w, int row, float[] x) {
        MemorySegment xs = Arena.ofAuto().allocate(WeightRows.activationBytes(w.cols()), 64);
        WeightRows.prepare(w.tensor(), x, XO, xs);
        float[] out = new float[row + 1];
        WeightRows.dot(w.tensor(), row, row + 1, xs, out, 0);
        return out[row];
    }

    @ParameterizedTest(name = "{0}, cols = {1}")
    @MethodSource("dtypesAndSizes")
    void dotMatchesScalarReference(DType dtype, int cols) {
        Random rnd = new Random(cols);
        Weights w = TestTensors.random(dtype, ROWS, cols, rnd, null);
        float[] x = randomFloats(rnd, XO + cols + 3);
        for (int r = 0; r < ROWS; r++) {
            assertDot(w.values(), r * cols, x, XO, cols, dot(w, r, x), dtype + " row " + r + " cols " + cols);
        }
    }

    /**
     * 16-bit rows that start off a 64-byte boundary (as in a safetensors file) go through the
     * aligned vector loop plus its masked edges (rows of whole vectors through the aligned stream,
     * which reads each row's last vector once with the next row's first pairs), and rows at a
     * 2-byte offset through the unaligned loop: all must match the scalar reference, with the
     * activation laid out at the shift MatVec gives it.
     */
    @ParameterizedTest(name = "{0}, cols = {1}")
    @CsvSource({"BF16, 64", "BF16, 100", "BF16, 129", "BF16, 160", "BF16, 768", "F16, 64", "F16, 129", "F16, 768"})
    void misaligned16BitRowsMatchScalarReference(DType dtype, int cols) {
        Random rnd = new Random(cols);
        for (int rows : new int[] {1, 2, 5}) assertMisalignedRows(dtype, rows, cols, rnd); // the first row is the last, or next to it, or neither
    }

    private static void assertMisalignedRows(DType dtype, int rows, int cols, Random rnd) {
        Weights aligned = TestTensors.random(dtype, rows, cols, rnd, null);
        float[] x = randomFloats(rnd, XO + cols);
        long bytes = aligned.tensor().data().byteSize();
        MemorySegment buffer = Arena.ofAuto().allocate(bytes + 64, 64);
        MemorySegment xBuffer = Arena.ofAuto().allocate(WeightRows.activationBytes(cols) + 64, 64);
        for (long offset : new long[] {2, 4, 16, 48, 62}) {
            MemorySegment data = buffer.asSlice(offset, bytes);
            data.copyFrom(aligned.tensor().data());
            Tensor w = Tensor.of("w", dtype, data, rows, cols);
            MemorySegment xs = xBuffer.asSlice(WeightRows.activationShift(w), WeightRows.activationBytes(cols));
            WeightRows.prepare(w, x, XO, xs);
            float[] out = new float[rows];
            WeightRows.dot(w, 0, rows, xs, out, 0);
            for (int r = 0; r < rows; r++) {
                assertDot(aligned.values(), r * cols, x, XO, cols, out[r], dtype + " offset " + offset + " row " + r + " of " + rows);
            }
            // in other ranges, as other thread counts split the rows (odd and even counts, from row 0 or
            // later, to the last row or not): the same sums, bit for bit
            for (int[] split : rows < 5 ? new int[][] {} : new int[][] {{0, 1, 2, 3, 4, 5}, {0, 2, 5}, {0, 3, 5}, {0, 4, 5}}) {
                float[] parts = new float[rows];
                for (int i = 0; i + 1 < split.length; i++) WeightRows.dot(w, split[i], split[i + 1], xs, parts, 0);
                assertArrayEquals(out, parts, dtype + " offset " + offset + " ranges " + Arrays.toString(split));
            }
        }
    }

    @ParameterizedTest(name = "{0}, cols = {1}")
    @MethodSource("dtypesAndSizes")
    void decodeIsExact(DType dtype, int cols) {
        Weights w = TestTensors.random(dtype, ROWS, cols, new Random(cols), null);
        for (int r = 0; r < ROWS; r++) {
            float[] dst = new float[cols + 4];
            Arrays.fill(dst, 7f);
            WeightRows.decode(w.tensor(), r, dst, 2);
            float[] expected = new float[cols + 4];
            Arrays.fill(expected, 7f);
            System.arraycopy(w.values(), r * cols, expected, 2, cols);
            assertArrayEquals(expected, dst, dtype + " row " + r);
            WeightRows.lookup(w.tensor(), r, dst, 2);
            assertArrayEquals(expected, dst, dtype + " row " + r + " (lookup)");
        }
    }

    @Test
    void prepareDeinterleaves16BitActivations() {
        float[] x = {9, 0, 1, 2, 3, 4, 5, 6};
        MemorySegment xs = Arena.ofAuto().allocate(WeightRows.activationBytes(7));
        WeightRows.prepare(TestTensors.random(DType.BF16, 1, 7, new Random(1), null).tensor(), x, 1, xs);
        // evens, the first vector of them again (cycling), odds, the same, the odd count's last element
        int fl = Simd.FL;
        float[] expected = new float[2 * (3 + fl) + 1];
        for (int j = 0; j < 3 + fl; j++) {
            expected[j] = 2 * (j % 3);
            expected[3 + fl + j] = 2 * (j % 3) + 1;
        }
        expected[expected.length - 1] = 6;
        assertArrayEquals(expected, Arrays.copyOf(xs.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT), expected.length));
    }

    /** Groups of 64 and 128 take the int8-plane path on 512-bit and 256-bit vectors. */
    @ParameterizedTest(name = "group {0}, cols {1}")
    @CsvSource({"64, 64", "64, 192", "128, 256", "64, 512"})
    void q8PlanePathMatchesScalarReference(int group, int cols) {
        for (boolean half : new boolean[] {false, true}) {
            Random rnd = new Random(group + cols);
            Weights w = TestTensors.randomQ8(5, cols, group, half, rnd, null);
            float[] x = randomFloats(rnd, XO + cols);
            for (int r = 0; r < 5; r++) assertDot(w.values(), r * cols, x, XO, cols, dot(w, r, x), "row " + r + (half ? ", F16 scales" : ""));
        }
    }

    @Test
    void rangesOfRowsMatchSingleRows() {
        for (DType dtype : TestTensors.anyWidthTypes().toList()) {
            Weights w = TestTensors.random(dtype, 7, 128, new Random(3), null);
            float[] x = randomFloats(new Random(4), XO + 128);
            MemorySegment xs = Arena.ofAuto().allocate(WeightRows.activationBytes(128), 64);
            WeightRows.prepare(w.tensor(), x, XO, xs);
            float[] block = new float[7];
            WeightRows.dot(w.tensor(), 0, 7, xs, block, 0);
            for (int r = 0; r < 7; r++) assertEquals(dot(w, r, x), block[r], 1e-5f, dtype + " row " + r);
        }
    }

    /**
     * Every finite 16-bit pattern through the vectorized dot: the patterns fill a [rows, 64] matrix
     * and a one-hot x picks one column at a time, so each dot must return exactly one weight.
     * F16 covers subnormals, negative zero and the largest finite values.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void dotWidensEveryFinite16BitPatternExactly(DType dtype) {
        int exponentMask = dtype == DType.F16 ? 0x7C00 : 0x7F80;
        short[] bits = new short[0x10000];
        int count = 0;
        for (int b = 0; b < 0x10000; b++) if ((b & exponentMask) != exponentMask) bits[count++] = (short) b;
        int cols = 64, rows = count / cols;
        Weights w = TestTensors.fromBits(dtype, Arrays.copyOf(bits, rows * cols), null, rows, cols);
        float[] x = new float[XO + cols];
        for (int c = 0; c < cols; c++) {
            Arrays.fill(x, 0f);
            x[XO + c] = 1f;
            for (int r = 0; r < rows; r++) {
                float expected = w.values()[r * cols + c];
                float actual = dot(w, r, x);
                if (expected != actual) {
                    throw new AssertionError(dtype + " pattern 0x" + Integer.toHexString(bits[r * cols + c] & 0xFFFF)
                            + " (row " + r + ", col " + c + "): expected " + expected + " but was " + actual);
                }
            }
        }
    }

    /**
     * F16 rows that stream read their activation times 2^112 (the exponent re-bias the widening
     * leaves out); an activation that could overflow so is laid out as is and read by the general
     * path: both must match the scalar reference.
     */
    @ParameterizedTest(name = "largest activation {0}")
    @ValueSource(floats = {1f, 32767f, 32768f, 1e30f})
    void f16StreamsWhateverTheActivationsMagnitude(float largest) {
        Random rnd = new Random(5);
        int rows = 5, cols = 768;
        Weights w = TestTensors.random(DType.F16, rows, cols, rnd, null);
        float[] x = randomFloats(rnd, XO + cols);
        x[XO + 100] = largest;
        for (int r = 0; r < rows; r++) assertDot(w.values(), r * cols, x, XO, cols, dot(w, r, x), "row " + r);
    }

    /**
     * An infinity or NaN at any position of a finite row (in vector lanes or the scalar tail) decides
     * the dot; 64 columns are rows of whole vectors, whose F16 kernel widens only finite values and
     * leaves a tensor holding a special one to the general path.
     */
    @ParameterizedTest(name = "{0} pattern {1}, cols {2}")
    @CsvSource({"F16, 0x7C00, 67", "F16, 0xFC00, 67", "F16, 0x7E00, 67", "BF16, 0x7F80, 67", "BF16, 0xFF80, 67", "BF16, 0x7FC0, 67",
            "F16, 0x7C00, 64", "F16, 0xFC00, 64", "F16, 0x7E00, 64", "BF16, 0x7F80, 64", "BF16, 0x7FC0, 64"})
    void dotPropagatesInfinitiesAndNaN(DType dtype, String pattern, int cols) {
        short special = (short) Integer.parseInt(pattern.substring(2), 16);
        float[] x = new float[XO + cols];
        Arrays.fill(x, 0.5f);
        for (int c = 0; c < cols; c++) {
            short[] row = new short[cols];
            for (int i = 0; i < cols; i++) row[i] = dtype == DType.F16 ? (short) 0x3C00 : (short) 0x3F80; // 1.0
            row[c] = special;
            Weights w = TestTensors.fromBits(dtype, row, null, 1, cols);
            float expected = w.values()[c] * 0.5f + (cols - 1) * 0.5f;
            float actual = dot(w, 0, x);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
                    dtype + " " + pattern + " at col " + c + ": expected " + expected + " but was " + actual);
        }
    }

    @Test
    void decodeKeepsF16SpecialValues() {
        short[] bits = {0x0000, (short) 0x8000, 0x0001, (short) 0x8001, 0x03FF, 0x0400, 0x7BFF, (short) 0xFBFF,
                0x7C00, (short) 0xFC00, 0x3C00, (short) 0xC000, 0x3555, 0x7E00, 0x0200};
        float[] values = {0f, -0f, 0x1p-24f, -0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 65504f, -65504f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -2f, 0.333251953125f, Float.NaN, 0x1p-15f};
        // 15 values 5 times: whole vectors and a remainder, as any vectorized path would split them
        int n = 5 * bits.length;
        short[] row = new short[n];
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = bits[i % bits.length];
            expected[i] = values[i % bits.length];
        }
        Weights w = TestTensors.fromBits(DType.F16, row, null, 1, n);
        float[] dst = new float[n];
        WeightRows.decode(w.tensor(), 0, dst, 0);
        assertArrayEquals(expected, dst); // compares bit patterns: -0 is not 0, NaN equals NaN
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(dst[1]));
    }

    /** Q8_0 rows whose groups do not start at the row start (groups run along the flattened tensor). */
    @ParameterizedTest(name = "[{0}, {1}] in groups of {2}")
    @CsvSource({"2, 48, 32", "2, 40, 16", "2, 96, 64", "2, 6, 4", "2, 20, 8"})
    void q8GroupsMayStraddleRows(int rows, int cols, int groupSize) {
        assertQ8RowsMatch(rows, cols, groupSize, new Random(cols));
    }

    @ParameterizedTest(name = "cols = {0}, groups of {1}")
    @CsvSource({"64, 64", "128, 32", "160, 32", "96, 16", "100, 4", "36, 12"})
    void q8DotAndDecodeForSeveralGroupSizes(int cols, int groupSize) {
        assertQ8RowsMatch(ROWS, cols, groupSize, new Random(cols * 31 + groupSize));
    }

    /** Q8_0 in GGUF's blocks of 32 (F16 scales, as GGUF's), two rows per step: any split of the rows (as thread counts make) gives the same sums, bit for bit. */
    @Test
    void q8BlocksOf32AreSummedAlikeInAnyRange() {
        Random rnd = new Random(32);
        int rows = 7, cols = 160;
        Weights w = TestTensors.randomQ8(rows, cols, 32, true, rnd, null);
        float[] x = randomFloats(rnd, XO + cols);
        MemorySegment xs = Arena.ofAuto().allocate(WeightRows.activationBytes(cols), 64);
        WeightRows.prepare(w.tensor(), x, XO, xs);
        float[] whole = new float[rows];
        WeightRows.dot(w.tensor(), 0, rows, xs, whole, 0);
        for (int r = 0; r < rows; r++) assertDot(w.values(), r * cols, x, XO, cols, whole[r], "row " + r);
        for (int[] split : new int[][] {{0, 1, 2, 3, 4, 5, 6, 7}, {0, 2, 7}, {0, 3, 7}, {0, 4, 5, 7}}) {
            float[] parts = new float[rows];
            for (int i = 0; i + 1 < split.length; i++) WeightRows.dot(w.tensor(), split[i], split[i + 1], xs, parts, 0);
            assertArrayEquals(whole, parts, "ranges " + Arrays.toString(split));
        }
    }

    /** Every row of a random Q8_0 matrix, with F32 and with F16 scales: dot product against the scalar reference, decode and lookup exact. */
    private static void assertQ8RowsMatch(int rows, int cols, int groupSize, Random rnd) {
        for (boolean half : new boolean[] {false, true}) {
            Weights w = TestTensors.randomQ8(rows, cols, groupSize, half, rnd, null);
            float[] x = randomFloats(rnd, XO + cols);
            for (int r = 0; r < rows; r++) {
                String what = " row " + r + (half ? ", F16 scales" : "");
                assertDot(w.values(), r * cols, x, XO, cols, dot(w, r, x), what);
                float[] dst = new float[cols], looked = new float[cols];
                WeightRows.decode(w.tensor(), r, dst, 0);
                WeightRows.lookup(w.tensor(), r, looked, 0);
                assertArrayEquals(Arrays.copyOfRange(w.values(), r * cols, (r + 1) * cols), dst, "decode" + what);
                assertArrayEquals(dst, looked, "lookup" + what);
            }
        }
    }
}

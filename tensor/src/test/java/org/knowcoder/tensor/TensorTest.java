package org.knowcoder.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.knowcoder.io.BadInputException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {

    /** Every position of a row of 37 (nine longs and a tail), every special pattern; the largest finite values and subnormals are not special. */
    @Test
    void hasF16SpecialsFindsAnInfinityOrNaNAnywhere() {
        short[] finite = {0x7BFF, (short) 0xFBFF, 0x0001, (short) 0x83FF, 0x3C00, 0x0000, (short) 0x8000};
        int n = 37;
        short[] row = new short[n];
        for (int i = 0; i < n; i++) row[i] = finite[i % finite.length];
        assertEquals(false, f16(row).hasF16Specials());
        for (short special : new short[] {0x7C00, (short) 0xFC00, 0x7E00, 0x7C01, (short) 0xFFFF}) {
            for (int at = 0; at < n; at++) {
                short[] bits = row.clone();
                bits[at] = special;
                assertEquals(true, f16(bits).hasF16Specials(), "0x" + Integer.toHexString(special & 0xFFFF) + " at " + at);
            }
        }
    }

    private static Tensor f16(short[] bits) {
        MemorySegment data = Arena.ofAuto().allocate(2L * bits.length);
        MemorySegment.copy(bits, 0, data, Tensor.I16_LE, 0, bits.length);
        return Tensor.of("w", DType.F16, data, 1, bits.length);
    }

    @Test
    void shapeRowsColsAndNumel() {
        Tensor t = Tensor.ofFloats("t", new float[24], 2, 3, 4);
        assertArrayEquals(new long[] {2, 3, 4}, t.shape());
        assertEquals(24, t.numel());
        assertEquals(6, t.rows());
        assertEquals(4, t.cols());
        t.shape()[0] = 99; // shape() is a copy
        assertEquals(2, t.shape()[0]);

        Tensor vector = Tensor.ofFloats("v", new float[5], 5);
        assertEquals(1, vector.rows());
        assertEquals(5, vector.cols());
        Tensor scalar = Tensor.ofFloats("s", new float[1]);
        assertEquals(1, scalar.numel());
        assertEquals(1, scalar.rows());
        assertEquals(1, scalar.cols());
    }

    @Test
    void readsLittleEndianBytes() {
        byte[] bytes = new byte[8];
        int one = Float.floatToIntBits(1.0f), minusTwo = Float.floatToIntBits(-2.0f);
        for (int b = 0; b < 4; b++) {
            bytes[b] = (byte) (one >>> (8 * b));
            bytes[4 + b] = (byte) (minusTwo >>> (8 * b));
        }
        Tensor f32 = Tensor.of("f32", DType.F32, MemorySegment.ofArray(bytes), 2);
        assertArrayEquals(new float[] {1.0f, -2.0f}, f32.toFloats());

        byte[] halves = {0x00, 0x3C, 0x00, (byte) 0xC0}; // F16 1.0, -2.0
        assertArrayEquals(new float[] {1.0f, -2.0f}, Tensor.of("f16", DType.F16, MemorySegment.ofArray(halves), 2).toFloats());
        byte[] brains = {(byte) 0x80, 0x3F, 0x00, (byte) 0xC0}; // BF16 1.0, -2.0
        assertArrayEquals(new float[] {1.0f, -2.0f}, Tensor.of("bf16", DType.BF16, MemorySegment.ofArray(brains), 2).toFloats());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void getAndToFloatsGiveTheStoredValuesOnHeapAndOffHeap(DType dtype) {
        for (boolean offHeap : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofConfined()) {
                TestTensors.Weights w = TestTensors.random(dtype, 3, 256, new Random(1), offHeap ? arena : null); // 256: a Q4_K row
                assertArrayEquals(w.values(), w.tensor().toFloats(), dtype + (offHeap ? " off-heap" : " heap"));
                assertEquals(w.values()[37], w.tensor().get(37));
            }
        }
    }

    @Test
    void q8ScalesApplyPerGroupAlongTheFlattenedTensor() {
        // 2 rows of 6 in groups of 4: the second group straddles the rows
        TestTensors.Weights w = TestTensors.randomQ8(2, 6, 4, new Random(2), null);
        Tensor t = w.tensor();
        assertEquals(DType.Q8_0, t.dtype());
        assertEquals(4, t.groupSize());
        assertEquals(12 + 3 * 4, t.weightBytes());
        assertArrayEquals(w.values(), t.toFloats());
    }

    /** GGUF's Q8_0 scales stay F16 (two bytes each); widened for llama2.c and CUDA, they give the same values. */
    @Test
    void q8WithF16ScalesHoldsTwoBytesAScaleAndWidensExactly() {
        TestTensors.Weights w = TestTensors.randomQ8(2, 6, 4, true, new Random(2), null);
        Tensor t = w.tensor();
        assertTrue(t.halfScales());
        assertEquals(12 + 3 * 2, t.weightBytes());
        assertArrayEquals(w.values(), t.toFloats());
        try (Arena arena = Arena.ofConfined()) {
            Tensor wide = t.withF32Scales(arena);
            assertFalse(wide.halfScales());
            assertEquals(12 + 3 * 4, wide.weightBytes());
            assertSame(t.data(), wide.data());
            assertArrayEquals(w.values(), wide.toFloats());
            assertSame(wide, wide.withF32Scales(arena));
        }
    }

    @Test
    void ofFloatsCopiesItsInput() {
        float[] values = {1, 2, 3};
        Tensor t = Tensor.ofFloats("t", values, 3);
        values[0] = 42;
        assertArrayEquals(new float[] {1, 2, 3}, t.toFloats());
        assertEquals(DType.F32, t.dtype());
        assertEquals(12, t.weightBytes());
    }

    @Test
    void reshapeKeepsTheBytes() {
        Tensor t = Tensor.ofFloats("t", new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor r = t.reshape(3, 2);
        assertEquals(3, r.rows());
        assertEquals(2, r.cols());
        assertSame(t.data(), r.data());
        assertArrayEquals(t.toFloats(), r.toFloats());
        assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
    }

    @Test
    void rejectsStorageOfTheWrongSize() {
        MemorySegment twelve = MemorySegment.ofArray(new byte[12]);
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", DType.F32, twelve, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", DType.F16, twelve, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", DType.Q8_0, twelve, 12));
        MemorySegment scales3 = MemorySegment.ofArray(new byte[12]);
        assertThrows(IllegalArgumentException.class, () -> Tensor.q8("w", twelve, scales3, 5, 12)); // not whole groups
        assertThrows(IllegalArgumentException.class, () -> Tensor.q8("w", twelve, scales3, 6, 12)); // 2 groups, 3 scales
        assertThrows(IllegalArgumentException.class, () -> Tensor.q8("w", twelve, scales3, 0, 12));
        assertEquals(12, Tensor.q8("w", twelve, scales3, 4, 3, 4).numel());
    }

    @Test
    void parsesDTypeNames() {
        assertEquals(DType.BF16, DType.parse("bf16"));
        assertEquals(DType.Q8_0, DType.parse("q8_0"));
        assertEquals(DType.F32, DType.parse("F32"));
        assertThrows(BadInputException.class, () -> DType.parse("int4"));
    }
}

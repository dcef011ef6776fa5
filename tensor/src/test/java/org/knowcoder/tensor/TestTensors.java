package org.knowcoder.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * Random test data: float arrays and weight tensors in every dtype, on the heap or in an
 * {@link Arena}, each paired with the exact float value of every element (what a correct kernel
 * must see), computed here independently of the kernels.
 */
public final class TestTensors {
    private TestTensors() {}

    /** Vector lengths around the 8- and 16-float vector widths, and a few odd larger ones. */
    public static final int[] SIZES = {1, 7, 15, 16, 17, 31, 33, 64, 100, 129};

    /** The dtypes whose rows may have any length (the 4-bit types need multiples of 32 or 256; {@code Q4RowsTest}). */
    public static java.util.stream.Stream<DType> anyWidthTypes() {
        return java.util.Arrays.stream(DType.values()).filter(d -> !d.isQ4());
    }

    /** A weight tensor and the exact value of each of its elements, row-major. */
    public record Weights(Tensor tensor, float[] values) {
        public int rows() { return Math.toIntExact(tensor.rows()); }
        public int cols() { return tensor.cols(); }
    }

    /** Uniform values in [-1, 1). */
    public static float[] randomFloats(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    /** Zero-filled little-endian storage: a heap segment when {@code arena} is null. */
    public static MemorySegment allocate(Arena arena, long bytes) {
        return arena == null ? MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]) : arena.allocate(bytes, 64);
    }

    /**
     * A random [rows, cols] weight in {@code dtype}. Q8_0 uses {@link #q8GroupFor}(cols).
     * Pass a shared arena when the tensor is read by pool workers (a confined one is owner-only).
     */
    public static Weights random(DType dtype, int rows, int cols, Random rnd, Arena arena) {
        if (dtype == DType.Q8_0) return randomQ8(rows, cols, q8GroupFor(cols), rnd, arena);
        if (dtype.isQ4()) return randomQ4(dtype, rows, cols, rnd, arena);
        return fromFloats(dtype, randomFloats(rnd, rows * cols), arena, rows, cols);
    }

    /** {@code values} rounded to {@code dtype} (F32, F16 or BF16) and stored little-endian. */
    public static Weights fromFloats(DType dtype, float[] values, Arena arena, long... shape) {
        MemorySegment seg = allocate(arena, (long) values.length * dtype.bytes);
        float[] exact = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> {
                    seg.set(Tensor.F32_LE, i * 4L, values[i]);
                    exact[i] = values[i];
                }
                case F16 -> {
                    short bits = Half.floatToF16(values[i]);
                    seg.set(Tensor.I16_LE, i * 2L, bits);
                    exact[i] = f16Value(bits);
                }
                case BF16 -> {
                    short bits = Half.floatToBf16(values[i]);
                    seg.set(Tensor.I16_LE, i * 2L, bits);
                    exact[i] = bf16Value(bits);
                }
                case Q8_0, Q4_0, Q4_K -> throw new IllegalArgumentException("use randomQ8 or randomQ4");
            }
        }
        return new Weights(Tensor.of("w", dtype, seg, shape), exact);
    }

    /** 16-bit patterns as an F16 or BF16 tensor, with their exact values. */
    public static Weights fromBits(DType dtype, short[] bits, Arena arena, long... shape) {
        MemorySegment seg = allocate(arena, bits.length * 2L);
        float[] exact = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            seg.set(Tensor.I16_LE, i * 2L, bits[i]);
            exact[i] = dtype == DType.F16 ? f16Value(bits[i]) : bf16Value(bits[i]);
        }
        return new Weights(Tensor.of("w", dtype, seg, shape), exact);
    }

    /** Random int8 values in [-127, 127] and positive F32 scales, groups running along the flattened tensor. */
    public static Weights randomQ8(int rows, int cols, int groupSize, Random rnd, Arena arena) {
        return randomQ8(rows, cols, groupSize, false, rnd, arena);
    }

    /** As {@link #randomQ8(int, int, int, Random, Arena)}; with {@code halfScales} the scales are F16, as GGUF's. */
    public static Weights randomQ8(int rows, int cols, int groupSize, boolean halfScales, Random rnd, Arena arena) {
        int n = rows * cols;
        MemorySegment q = allocate(arena, n);
        MemorySegment scales = allocate(arena, n / groupSize * (halfScales ? 2L : 4L));
        float[] scaleValues = new float[n / groupSize];
        for (int g = 0; g < scaleValues.length; g++) {
            scaleValues[g] = (0.5f + rnd.nextFloat()) / 127f;
            if (halfScales) {
                scaleValues[g] = f16Value(Half.floatToF16(scaleValues[g]));
                scales.set(Tensor.I16_LE, g * 2L, Half.floatToF16(scaleValues[g]));
            } else {
                scales.set(Tensor.F32_LE, g * 4L, scaleValues[g]);
            }
        }
        float[] exact = new float[n];
        for (int i = 0; i < n; i++) {
            byte v = (byte) (rnd.nextInt(255) - 127);
            q.set(ValueLayout.JAVA_BYTE, i, v);
            exact[i] = v * scaleValues[i / groupSize];
        }
        return new Weights(halfScales ? Tensor.q8HalfScales("w", q, scales, groupSize, rows, cols)
                : Tensor.q8("w", q, scales, groupSize, rows, cols), exact);
    }

    /**
     * Random 4-bit codes and F16-exact scales (Q4_K: random 6-bit scales and mins under random d and
     * dmin) placed where {@link Q4} says, each value computed here from its code and scales.
     */
    public static Weights randomQ4(DType type, int rows, int cols, Random rnd, Arena arena) {
        int n = rows * cols;
        MemorySegment q = allocate(arena, n / 2), scales = allocate(arena, Q4.scaleBytes(type, n));
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) codes[i] = rnd.nextInt(16);
        Q4.RowWriter writer = new Q4.RowWriter(q, rows, cols);
        for (int r = 0; r < rows; r++) writer.put(Arrays.copyOfRange(codes, r * cols, (r + 1) * cols));
        float[] exact = new float[n];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cols / Q4.BLOCK; b++) {
                float step, min = 0;
                if (type == DType.Q4_0) {
                    short h = Half.floatToF16((rnd.nextFloat() - 0.3f) / 8);
                    scales.set(Tensor.I16_LE, Q4.scaleIndex(rows, cols, r, b) * 2, h);
                    step = f16Value(h);
                } else {
                    if (b % 8 == 0) {
                        scales.set(Tensor.I16_LE, Q4.dAt(rows, cols, r, b), Half.floatToF16(rnd.nextFloat() / 500));
                        scales.set(Tensor.I16_LE, Q4.dminAt(rows, cols, r, b), Half.floatToF16(rnd.nextFloat() / 60));
                    }
                    int sc = rnd.nextInt(64), m = rnd.nextInt(64);
                    Q4.setScaleAndMin(scales, rows, cols, r, b, sc, m);
                    step = f16Value(scales.get(Tensor.I16_LE, Q4.dAt(rows, cols, r, b))) * sc;
                    min = f16Value(scales.get(Tensor.I16_LE, Q4.dminAt(rows, cols, r, b))) * m;
                }
                for (int i = r * cols + b * Q4.BLOCK; i < r * cols + (b + 1) * Q4.BLOCK; i++) {
                    exact[i] = type == DType.Q4_0 ? (codes[i] - 8) * step : (float) ((double) step * codes[i] - min);
                }
            }
        }
        return new Weights(Tensor.q4("w", type, q, scales, rows, cols), exact);
    }

    /** A Q8_0 group size that divides {@code cols}: 32 or 16 (the vectorized paths) where they fit, else the whole row. */
    public static int q8GroupFor(int cols) {
        return cols % 32 == 0 ? 32 : cols % 16 == 0 ? 16 : cols;
    }

    /** The IEEE half-precision value of {@code bits}, decoded field by field. */
    public static float f16Value(short bits) {
        int sign = (bits >> 15) & 1, exponent = (bits >> 10) & 0x1F, mantissa = bits & 0x3FF;
        double magnitude;
        if (exponent == 0x1F) magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        else if (exponent == 0) magnitude = mantissa * 0x1p-24;
        else magnitude = (1024 + mantissa) * Math.pow(2, exponent - 25);
        return (float) (sign == 1 ? -magnitude : magnitude);
    }

    /** The bfloat16 value of {@code bits}: the top half of an F32. */
    public static float bf16Value(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}

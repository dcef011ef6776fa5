package org.knowcoder.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named, shaped view of little-endian memory: heap arrays, off-heap allocations or memory-mapped
 * files of any size. Matrices are stored [rows, cols] row-major, so a weight is [out, in].
 * A Q8_0 tensor has a second segment holding one scale per {@code groupSize} values (groups run
 * along the flattened tensor, as llama2.c version 2 writes them): F32 as llama2.c stores them, or
 * F16 as GGUF does ({@link #halfScales}), so that neither format's weights take more memory than
 * its file. Q4_0 and Q4_K tensors hold nibbles and their scales as {@link Q4} describes.
 */
public final class Tensor {
    public static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final MemorySegment data;
    private final MemorySegment scales;
    private final int groupSize;
    private final boolean halfScales;
    /** See {@link #floatArray}: found once here, since heapBase() allocates an Optional and decoding asks per product. */
    private final float[] floatArray;
    /** See {@link #hasF16Specials}: 0 until the first call, then 1 (none) or 2 (some). */
    private volatile byte f16Specials;

    private Tensor(String name, DType dtype, long[] shape, MemorySegment data, MemorySegment scales, int groupSize, boolean halfScales) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        this.scales = scales;
        this.groupSize = groupSize;
        this.halfScales = halfScales;
        this.floatArray = dtype == DType.F32 && data.heapBase().orElse(null) instanceof float[] a ? a : null;
        long numel = numel();
        if (dtype.isQ4() && cols() % Q4.rowMultiple(dtype) != 0) {
            throw new IllegalArgumentException("tensor " + name + ": rows of " + cols() + " are not a multiple of "
                    + dtype + "'s " + Q4.rowMultiple(dtype));
        }
        if (data.byteSize() != dtype.valueBytes(numel)) {
            throw new IllegalArgumentException("tensor " + name + ": " + dtype + " " + Arrays.toString(shape)
                    + " needs " + dtype.valueBytes(numel) + " bytes, got " + data.byteSize());
        }
        if (dtype.isQ4() && scales.byteSize() != Q4.scaleBytes(dtype, numel)) {
            throw new IllegalArgumentException("tensor " + name + ": " + dtype + " needs " + Q4.scaleBytes(dtype, numel)
                    + " bytes of scales, got " + scales.byteSize());
        }
        if (dtype == DType.Q8_0) {
            if (groupSize <= 0 || numel % groupSize != 0) {
                throw new IllegalArgumentException("tensor " + name + ": " + numel
                        + " values are not a whole number of Q8_0 groups of " + groupSize);
            }
            if (scales.byteSize() != numel / groupSize * scaleBytes()) {
                throw new IllegalArgumentException("tensor " + name + ": Q8_0 needs " + numel / groupSize
                        + " scales, got " + scales.byteSize() / scaleBytes());
            }
        }
    }

    /** An F32, F16 or BF16 tensor over {@code data}. */
    public static Tensor of(String name, DType dtype, MemorySegment data, long... shape) {
        if (dtype == DType.Q8_0 || dtype.isQ4()) throw new IllegalArgumentException("use Tensor.q8 or Tensor.q4 for " + dtype + " tensor " + name);
        return new Tensor(name, dtype, shape, data, null, 0, false);
    }

    /** A Q8_0 tensor: int8 values and one F32 scale per group of {@code groupSize}. */
    public static Tensor q8(String name, MemorySegment values, MemorySegment scales, int groupSize, long... shape) {
        return new Tensor(name, DType.Q8_0, shape, values, scales, groupSize, false);
    }

    /** A Q8_0 tensor: int8 values and one F16 scale per group of {@code groupSize}. */
    public static Tensor q8HalfScales(String name, MemorySegment values, MemorySegment scales, int groupSize, long... shape) {
        return new Tensor(name, DType.Q8_0, shape, values, scales, groupSize, true);
    }

    /** A Q4_0 or Q4_K tensor: nibbles and scales laid out as {@link Q4} describes. */
    public static Tensor q4(String name, DType type, MemorySegment nibbles, MemorySegment scales, long... shape) {
        if (!type.isQ4()) throw new IllegalArgumentException(type + " is not a 4-bit type");
        return new Tensor(name, type, shape, nibbles, scales, Q4.BLOCK, type == DType.Q4_0);
    }

    /** An F32 tensor on the heap holding a copy of {@code values}. */
    public static Tensor ofFloats(String name, float[] values, long... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
        MemorySegment.copy(values, 0, seg, F32_LE, 0, values.length);
        return of(name, DType.F32, seg, shape);
    }

    /**
     * An F32 tensor over {@code values} itself (no copy): the decoding kernel streams float[]-backed
     * weights faster than native memory (see {@code WeightRows.dotF32Heap}).
     */
    public static Tensor ofFloatArray(String name, float[] values, long... shape) {
        return of(name, DType.F32, MemorySegment.ofArray(values), shape);
    }

    /** The float array holding this F32 tensor (its first element at data().address() / 4), or null when it has none. */
    public float[] floatArray() {
        return floatArray;
    }

    public String name() { return name; }
    public DType dtype() { return dtype; }
    public long[] shape() { return shape.clone(); }
    public MemorySegment data() { return data; }

    /**
     * Whether this F16 tensor holds an infinity or a NaN: scanned on the first call, then known.
     * The F16 decoding kernel widens finite values in fewer operations and leaves the tensors that
     * hold one to the exact general path (HalfRows).
     */
    public boolean hasF16Specials() {
        if (dtype != DType.F16) throw new IllegalStateException("tensor " + name + " is " + dtype + ", not F16");
        byte known = f16Specials;
        if (known == 0) f16Specials = known = scanF16Specials(data) ? (byte) 2 : 1; // racing threads find the same
        return known == 2;
    }

    /** Four values per long: an exponent of all ones (5 bits) plus one carries into its value's top bit. */
    private static boolean scanF16Specials(MemorySegment data) {
        long n = data.byteSize(), carries = 0, i = 0;
        for (; i + 8 <= n; i += 8) carries |= (data.get(I64_LE, i) & 0x7C007C007C007C00L) + 0x0400040004000400L;
        for (; i + 2 <= n; i += 2) carries |= (data.get(I16_LE, i) & 0x7C00) + 0x0400;
        return (carries & 0x8000800080008000L) != 0;
    }
    /** Q8_0, Q4_0 and Q4_K scales (null for other dtypes). */
    public MemorySegment scales() { return scales; }
    public int groupSize() { return groupSize; }

    /** Whether the scales of this Q8_0 or Q4_0 tensor are F16 (two bytes each) rather than F32. */
    public boolean halfScales() { return halfScales; }

    /** The scale of group {@code g} (Q8_0; Q4_0 block g), widened to float (exactly, when it is F16). */
    public float scale(long g) {
        return halfScales ? Half.f16ToFloat(scales.get(I16_LE, g * 2)) : scales.get(F32_LE, g * 4);
    }

    private int scaleBytes() {
        return halfScales ? 2 : 4;
    }

    /**
     * This Q8_0 tensor with F32 scales (the values shared, the scales widened into {@code arena}),
     * for what reads them as F32: llama2.c's format, the CUDA kernels.
     */
    public Tensor withF32Scales(Arena arena) {
        if (dtype != DType.Q8_0) throw new IllegalStateException("tensor " + name + " is " + dtype + ", not Q8_0");
        if (!halfScales) return this;
        long groups = numel() / groupSize;
        MemorySegment wide = arena.allocate(groups * 4, 64);
        for (long g = 0; g < groups; g++) wide.set(F32_LE, g * 4, scale(g));
        return new Tensor(name, dtype, shape, data, wide, groupSize, false);
    }

    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Rows of the tensor seen as a matrix: all dimensions but the last. */
    public long rows() {
        return shape.length == 0 ? 1 : numel() / shape[shape.length - 1];
    }

    /** Length of the last dimension. */
    public int cols() {
        return shape.length == 0 ? 1 : Math.toIntExact(shape[shape.length - 1]);
    }

    /** Bytes of weights a matrix-vector product streams (values plus scales). */
    public long weightBytes() {
        return data.byteSize() + (scales == null ? 0 : scales.byteSize());
    }

    /** Element {@code index} of the flattened tensor, widened to float. Slow; for tests and tools. */
    public float get(long index) {
        return switch (dtype) {
            case F32 -> data.get(F32_LE, index * 4);
            case BF16 -> Half.bf16ToFloat(data.get(I16_LE, index * 2));
            case F16 -> Half.f16ToFloat(data.get(I16_LE, index * 2));
            case Q8_0 -> data.get(ValueLayout.JAVA_BYTE, index) * scale(index / groupSize);
            case Q4_0, Q4_K -> Q4.value(this, index);
        };
    }

    /** All elements widened to a float array (must fit in one array). */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) out[i] = get(i);
        return out;
    }

    /** A copy named {@code name} whose values (and scales) are fresh memory of {@code arena}, 64-byte aligned. */
    public Tensor copyTo(String name, Arena arena) {
        MemorySegment d = arena.allocate(data.byteSize(), 64).copyFrom(data);
        MemorySegment s = scales == null ? null : arena.allocate(scales.byteSize(), 64).copyFrom(scales);
        return new Tensor(name, dtype, shape, d, s, groupSize, halfScales);
    }

    /** This tensor with the same bytes seen under another shape of equal size. */
    public Tensor reshape(long... newShape) {
        return new Tensor(name, dtype, newShape, data, scales, groupSize, halfScales);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}

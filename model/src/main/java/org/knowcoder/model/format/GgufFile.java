package org.knowcoder.model.format;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.MappedFiles;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file (versions 2 and 3, little-endian), memory-mapped: the magic "GGUF", a uint32
 * version, uint64 tensor and metadata counts, the metadata key/value pairs, the tensor infos (name,
 * dimensions innermost first, ggml type, offset into the data), then the tensor data, which starts
 * at the next multiple of {@code general.alignment} (32 by default). Every count, length and offset
 * is checked against the file before it is used, so a corrupt file is refused with its name and
 * never read out of bounds.
 */
public final class GgufFile {
    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    /** ggml tensors have at most four dimensions. */
    private static final int MAX_DIMS = 4;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Where a tensor's bytes are and how to read them; {@code dims} innermost first, as in the file. */
    record TensorInfo(String name, long[] dims, GgmlType type, long offset, long bytes) {
        /** The engine's shape: outermost first, so a [out, in] matrix is ggml's ne = {in, out}. */
        long[] shape() {
            long[] s = new long[dims.length];
            for (int i = 0; i < dims.length; i++) s[i] = dims[dims.length - 1 - i];
            return s;
        }
    }

    private final Path file;
    private final Map<String, GgufValue> metadata;
    private final Map<String, TensorInfo> tensors;
    private final MemorySegment data;
    /** The same bytes as {@link #data} through the file mapping's own segment, which can {@link MemorySegment#unload}. */
    private final MemorySegment mappedData;
    private final Arena arena;

    private GgufFile(Path file, Map<String, GgufValue> metadata, Map<String, TensorInfo> tensors, MemorySegment data,
                     MemorySegment mappedData, Arena arena) {
        this.file = file;
        this.metadata = metadata;
        this.tensors = tensors;
        this.data = data;
        this.mappedData = mappedData;
        this.arena = arena;
    }

    public Path file() { return file; }
    public Map<String, GgufValue> metadata() { return metadata; }
    Map<String, TensorInfo> tensors() { return tensors; }

    /** Parses {@code file}, its data mapped through {@code arena} (which also holds converted quantized tensors). */
    public static GgufFile read(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 24) throw new CheckpointFormatException(file, "truncated: " + size + " bytes is shorter than a GGUF header");
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), seg = MappedFiles.nativeView(mapped, arena);
            Cursor in = new Cursor(file, seg);
            int magic = in.int32();
            if (magic != MAGIC) {
                throw new CheckpointFormatException(file, "not a GGUF file: it starts with 0x" + String.format("%08x", Integer.reverseBytes(magic))
                        + ", expected \"GGUF\"");
            }
            int version = in.int32();
            if (version != 2 && version != 3) {
                throw new CheckpointFormatException(file, Integer.reverseBytes(version) == 3 || Integer.reverseBytes(version) == 2
                        ? "big-endian GGUF is not supported" : "unsupported GGUF version " + version + " (expected 2 or 3)");
            }
            long tensorCount = in.count("tensor count", 8), kvCount = in.count("metadata count", 12);
            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = in.string();
                if (metadata.put(key, in.value(in.type())) != null) {
                    throw new CheckpointFormatException(file, "metadata key " + key + " appears twice");
                }
            }
            long alignment = alignment(file, metadata);
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            List<TensorInfo> order = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                TensorInfo t = in.tensorInfo(alignment);
                if (infos.put(t.name(), t) != null) throw new CheckpointFormatException(file, "tensor " + t.name() + " appears twice");
                order.add(t);
            }
            long dataStart = (in.at + alignment - 1) / alignment * alignment;
            long dataBytes = Math.max(0, size - dataStart);
            for (TensorInfo t : order) {
                if (t.offset() > dataBytes || t.bytes() > dataBytes - t.offset()) {
                    throw new CheckpointFormatException(file, "tensor " + t.name() + " lies at data bytes [" + t.offset() + ", "
                            + (t.offset() + t.bytes()) + ") beyond the " + dataBytes + " data bytes of the file (truncated?)");
                }
            }
            long start = Math.min(dataStart, size);
            return new GgufFile(file, metadata, infos, seg.asSlice(start), mapped.asSlice(start), arena);
        }
    }

    private static long alignment(Path file, Map<String, GgufValue> metadata) throws CheckpointFormatException {
        GgufValue v = metadata.get("general.alignment");
        if (v == null) return DEFAULT_ALIGNMENT;
        long a = v.isInteger() ? (Long) v.value() : -1;
        if (a <= 0 || Long.bitCount(a) != 1 || a > (1 << 20)) {
            throw new CheckpointFormatException(file, "general.alignment " + v.value() + " is not a power of two (up to 1 MiB)");
        }
        return a;
    }

    /**
     * Tensor {@code name} as an engine tensor of the given shape (outermost first). F32, F16 and BF16
     * stay in the mapping. Q4_0 and Q4_K are converted into the arena by {@link GgufQ4Blocks} (the
     * engine's nibble order); Q4_1, Q5_0, Q5_1, Q5_K and Q6_K are widened to F32 there by
     * {@link GgufWidening}. Q8_0 is converted into the arena: GGUF interleaves each block's F16 scale
     * with its 32 int8 values, while the engine's Q8_0 kernels stream a tensor's int8 values and its
     * scales as two contiguous arrays (llama2.c's version-2 layout), so the values and the F16 scales
     * are copied out apart (the copy no larger than the blocks).
     */
    Tensor tensor(String name, long... shape) throws CheckpointFormatException {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new CheckpointFormatException(file, "missing tensor " + name + " of shape " + Arrays.toString(shape));
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointFormatException(file, "tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        MemorySegment bytes = data.asSlice(t.offset(), t.bytes());
        return switch (t.type()) {
            case F32 -> Tensor.of(name, DType.F32, bytes, shape);
            case F16 -> Tensor.of(name, DType.F16, bytes, shape);
            case BF16 -> Tensor.of(name, DType.BF16, bytes, shape);
            case Q8_0 -> released(t, q8(name, bytes, shape));
            case Q4_0, Q4_K -> released(t, GgufQ4Blocks.read(name, t.type(), bytes, shape, arena));
            case Q4_1, Q5_0, Q5_1, Q5_K, Q6_K -> released(t, GgufWidening.widen(name, t.type(), bytes, shape, arena));
            default -> throw new CheckpointFormatException(file, "tensor " + name + " has ggml type " + t.type()
                    + ", which this engine does not read yet (it reads F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q5_0, Q5_1, Q5_K and Q6_K)");
        };
    }

    /**
     * {@code converted}, having let the file's pages of its source {@code t} go: they are read once,
     * and, kept mapped, the process would hold the tensor twice (a 7B Q8_0 file: its size in file
     * pages besides the converted copy). A page shared with a tensor read in place is read again
     * when that tensor is used.
     */
    private Tensor released(TensorInfo t, Tensor converted) {
        mappedData.asSlice(t.offset(), t.bytes()).unload();
        return converted;
    }

    private Tensor q8(String name, MemorySegment blocks, long[] shape) {
        int size = GgmlType.Q8_0.blockSize;
        long n = blocks.byteSize() / GgmlType.Q8_0.blockBytes;
        MemorySegment values = arena.allocate(n * size, 64), scales = arena.allocate(n * 2, 64);
        for (long b = 0; b < n; b++) {
            long at = b * GgmlType.Q8_0.blockBytes;
            scales.set(Tensor.I16_LE, b * 2, blocks.get(Tensor.I16_LE, at));
            MemorySegment.copy(blocks, at + 2, values, b * size, size);
        }
        return Tensor.q8HalfScales(name, values, scales, size, shape);
    }

    /** Reads the header, checking that every read stays within the file. */
    private static final class Cursor {
        private final Path file;
        private final MemorySegment seg;
        long at;

        Cursor(Path file, MemorySegment seg) {
            this.file = file;
            this.seg = seg;
        }

        private void need(long bytes, String what) throws CheckpointFormatException {
            if (bytes < 0 || bytes > seg.byteSize() - at) {
                throw new CheckpointFormatException(file, "truncated: " + what + " at byte " + at + " runs past the end of the file ("
                        + seg.byteSize() + " bytes)");
            }
        }

        int int32() throws CheckpointFormatException {
            need(4, "a 32-bit field");
            int v = seg.get(I32, at);
            at += 4;
            return v;
        }

        long int64() throws CheckpointFormatException {
            need(8, "a 64-bit field");
            long v = seg.get(I64, at);
            at += 8;
            return v;
        }

        /** A count of items that take at least {@code minBytes} each: no more than the rest of the file holds. */
        long count(String what, long minBytes) throws CheckpointFormatException {
            long n = int64();
            if (n < 0 || n > (seg.byteSize() - at) / minBytes) {
                throw new CheckpointFormatException(file, "corrupt header: " + what + " " + Long.toUnsignedString(n)
                        + " at byte " + (at - 8) + " does not fit in the file (" + seg.byteSize() + " bytes)");
            }
            return n;
        }

        String string() throws CheckpointFormatException {
            long len = int64();
            need(len, "a string of " + Long.toUnsignedString(len) + " bytes");
            byte[] b = seg.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE);
            at += len;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new CheckpointFormatException(file, "corrupt header: a string at byte " + (at - len) + " is not UTF-8");
            }
        }

        GgufValue.Type type() throws CheckpointFormatException {
            int code = int32();
            GgufValue.Type t = GgufValue.Type.of(code);
            if (t == null) throw new CheckpointFormatException(file, "corrupt header: unknown metadata type " + code + " at byte " + (at - 4));
            return t;
        }

        GgufValue value(GgufValue.Type type) throws CheckpointFormatException {
            return new GgufValue(type, scalarOrArray(type, true));
        }

        private Object scalarOrArray(GgufValue.Type type, boolean arrayAllowed) throws CheckpointFormatException {
            return switch (type) {
                case UINT8 -> (long) (int8() & 0xFF);
                case INT8 -> (long) int8();
                case UINT16 -> (long) (int16() & 0xFFFF);
                case INT16 -> (long) int16();
                case UINT32 -> Integer.toUnsignedLong(int32());
                case INT32 -> (long) int32();
                case UINT64, INT64 -> int64();
                case FLOAT32 -> (double) Float.intBitsToFloat(int32());
                case FLOAT64 -> Double.longBitsToDouble(int64());
                case BOOL -> int8() != 0;
                case STRING -> string();
                case ARRAY -> {
                    if (!arrayAllowed) throw new CheckpointFormatException(file, "corrupt header: nested array at byte " + at);
                    GgufValue.Type element = type();
                    long n = count("array length", Math.max(1, element.bytes == 0 ? 8 : element.bytes));
                    List<Object> items = new ArrayList<>((int) Math.min(n, 1 << 20));
                    for (long i = 0; i < n; i++) items.add(scalarOrArray(element, false));
                    yield new GgufValue.Array(element, items);
                }
            };
        }

        private byte int8() throws CheckpointFormatException {
            need(1, "an 8-bit field");
            return seg.get(ValueLayout.JAVA_BYTE, at++);
        }

        private short int16() throws CheckpointFormatException {
            need(2, "a 16-bit field");
            short v = seg.get(Tensor.I16_LE, at);
            at += 2;
            return v;
        }

        TensorInfo tensorInfo(long alignment) throws CheckpointFormatException {
            String name = string();
            int nDims = int32();
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new CheckpointFormatException(file, "tensor " + name + " has " + nDims + " dimensions (ggml allows 1 to " + MAX_DIMS + ")");
            }
            long[] dims = new long[nDims];
            long numel = 1;
            for (int i = 0; i < nDims; i++) {
                dims[i] = int64();
                if (dims[i] < 0) throw new CheckpointFormatException(file, "tensor " + name + " has a negative dimension");
                try {
                    numel = Math.multiplyExact(numel, dims[i]);
                } catch (ArithmeticException e) {
                    throw new CheckpointFormatException(file, "tensor " + name + " has more than 2^63 values");
                }
            }
            int code = int32();
            GgmlType type = GgmlType.of(code);
            if (type == null) throw new CheckpointFormatException(file, "tensor " + name + " has unknown ggml type " + code);
            if (dims[0] % type.blockSize != 0) {
                throw new CheckpointFormatException(file, "tensor " + name + ": rows of " + dims[0] + " are not whole " + type
                        + " blocks of " + type.blockSize);
            }
            long offset = int64();
            if (offset < 0 || offset % alignment != 0) {
                throw new CheckpointFormatException(file, "tensor " + name + " starts at data offset " + Long.toUnsignedString(offset)
                        + ", not a multiple of the alignment " + alignment);
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(numel / type.blockSize, type.blockBytes);
            } catch (ArithmeticException e) {
                throw new CheckpointFormatException(file, "tensor " + name + " has more than 2^63 bytes");
            }
            return new TensorInfo(name, dims, type, offset, bytes);
        }
    }
}

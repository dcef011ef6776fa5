package org.knowcoder.model.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.MappedFiles;
import org.knowcoder.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file, memory-mapped: an unsigned 64-bit little-endian header length, a JSON
 * header mapping tensor names to {dtype, shape, data_offsets}, then the raw little-endian data.
 * Every entry is checked against the file before it is used.
 */
public final class SafetensorsFile {
    private SafetensorsFile() {}

    private static final long MAX_HEADER = 100L << 20;

    /** A file's tensors, memory mapped, and the string entries of its {@code __metadata__} (empty when it has none). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** The tensors of {@code file}, their memory mapped through {@code arena}. */
    public static Map<String, Tensor> read(Path file, Arena arena) throws IOException {
        return open(file, arena).tensors();
    }

    /** The tensors (mapped through {@code arena}) and metadata of {@code file}, its header read once. */
    public static Contents open(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = MappedFiles.mapReadOnly(ch, ch.size(), arena);
            JsonNode header = header(file, seg);
            long dataStart = 8 + seg.get(HEADER_LENGTH, 0);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    if (e.getValue().isObject()) e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                } else {
                    tensors.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), seg, dataStart));
                }
            }
            checkDisjoint(file, tensors.values());
            return new Contents(tensors, metadata);
        }
    }

    private static final ValueLayout.OfLong HEADER_LENGTH = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The JSON header of the mapped file {@code seg}, checked to be an object that fits the file. */
    private static JsonNode header(Path file, MemorySegment seg) throws CheckpointFormatException {
        long size = seg.byteSize();
        if (size < 8) throw new CheckpointFormatException(file, "truncated: " + size + " bytes is shorter than a safetensors header");
        long headerLen = seg.get(HEADER_LENGTH, 0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
            throw new CheckpointFormatException(file, "corrupt header: it claims " + headerLen
                    + " bytes of JSON in a file of " + size + " bytes");
        }
        byte[] json = seg.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointFormatException(file, "corrupt header: not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (header == null || !header.isObject()) throw new CheckpointFormatException(file, "corrupt header: expected a JSON object");
        return header;
    }

    /** The format forbids tensors that share bytes: a write to one would change the other. */
    private static void checkDisjoint(Path file, Collection<Tensor> tensors) throws CheckpointFormatException {
        List<Tensor> byStart = tensors.stream().filter(t -> t.data().byteSize() > 0)
                .sorted(Comparator.comparingLong(t -> t.data().address())).toList();
        for (int i = 1; i < byStart.size(); i++) {
            MemorySegment before = byStart.get(i - 1).data(), next = byStart.get(i).data();
            if (next.address() < before.address() + before.byteSize()) {
                throw new CheckpointFormatException(file, "tensors " + byStart.get(i - 1).name() + " and " + byStart.get(i).name()
                        + " overlap in the data (safetensors forbids overlapping data_offsets)");
            }
        }
    }

    private static Tensor tensor(Path file, String name, JsonNode entry, MemorySegment seg, long dataStart)
            throws CheckpointFormatException {
        JsonNode dtypeNode = entry.get("dtype"), shapeNode = entry.get("shape"), offsets = entry.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || !shapeNode.isArray() || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointFormatException(file, "corrupt header entry for tensor " + name + ": expected dtype, shape and data_offsets");
        }
        DType dtype;
        switch (dtypeNode.asText()) {
            case "F32" -> dtype = DType.F32;
            case "F16" -> dtype = DType.F16;
            case "BF16" -> dtype = DType.BF16;
            default -> throw new CheckpointFormatException(file, "tensor " + name + " has dtype " + dtypeNode.asText()
                    + " (expected F32, F16 or BF16)");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) throw new CheckpointFormatException(file, "tensor " + name + " has a negative dimension");
            numel *= shape[i];
        }
        long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || dataStart + end > seg.byteSize()) {
            throw new CheckpointFormatException(file, "tensor " + name + " lies at bytes [" + begin + ", " + end
                    + ") beyond the " + (seg.byteSize() - dataStart) + " data bytes of the file (truncated?)");
        }
        if (end - begin != numel * dtype.bytes) {
            throw new CheckpointFormatException(file, "tensor " + name + ": " + dtype + " of shape " + java.util.Arrays.toString(shape)
                    + " needs " + numel * dtype.bytes + " bytes, its data_offsets span " + (end - begin));
        }
        return Tensor.of(name, dtype, seg.asSlice(dataStart + begin, end - begin), shape);
    }
}

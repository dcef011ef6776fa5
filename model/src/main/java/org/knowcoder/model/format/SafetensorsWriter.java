package org.knowcoder.model.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files: the header {@link SafetensorsFile} reads, then the tensors back to back,
 * streamed ({@link StreamedTensor}). {@link #writeF32} saves float arrays (training state,
 * gradients, LoRA adapters) atomically.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An F32 tensor to write; {@code values} holds the product of {@code shape} floats, row-major. */
    public record Entry(String name, long[] shape, float[] values) {}

    /** Writes {@code entries} as F32 tensors to {@code file}, replacing it atomically. */
    public static void writeF32(Path file, List<Entry> entries) throws IOException {
        writeF32(file, entries, Map.of());
    }

    /** As {@link #writeF32(Path, List)}, with {@code metadata} in the header's {@code __metadata__} beside {@code "format": "pt"}. */
    public static void writeF32(Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
        List<StreamedTensor> tensors = new ArrayList<>();
        for (Entry e : entries) {
            StreamedTensor t = new StreamedTensor(e.name(), e.shape(), out -> out.floats(e.values(), DType.F32));
            if (t.numel() != e.values().length) throw new IllegalArgumentException(e.name() + ": " + e.values().length + " values for shape " + Arrays.toString(e.shape()));
            tensors.add(t);
        }
        write(file, tensors, DType.F32, metadata);
    }

    /** Writes {@code tensors}, all in {@code dtype}, to {@code file} atomically: the header, then each tensor's values in turn. */
    static void write(Path file, List<StreamedTensor> tensors, DType dtype) throws IOException {
        write(file, tensors, dtype, Map.of());
    }

    private static void write(Path file, List<StreamedTensor> tensors, DType dtype, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, dtype, metadata);
        AtomicWrite.write(file, ch -> {
            TensorOutput out = new TensorOutput(ch);
            for (int i = 0; i < 8; i++) out.uint8((int) ((long) header.length >>> (8 * i))); // the u64 little-endian header length
            out.bytes(header);
            for (StreamedTensor t : tensors) {
                long start = out.position(), expected = dtype.valueBytes(t.numel());
                t.body().write(out);
                if (out.position() - start != expected) {
                    throw new IllegalStateException("tensor " + t.name() + " wrote " + (out.position() - start) + " bytes, its header says " + expected);
                }
            }
            out.flush();
        });
    }

    /**
     * The JSON header: {"__metadata__": {"format": "pt"}, name: {dtype, shape, data_offsets}, ...},
     * offsets relative to the end of the header, padded with spaces to a multiple of 8 bytes so the
     * data that follows is aligned. transformers refuses files whose metadata lacks format "pt".
     */
    private static byte[] header(List<StreamedTensor> tensors, DType dtype, Map<String, String> metadata) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject("__metadata__").put("format", "pt");
        metadata.forEach(meta::put);
        long offset = 0;
        for (StreamedTensor s : tensors) {
            ObjectNode t = root.putObject(s.name());
            t.put("dtype", dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long d : s.shape()) shape.add(d);
            long end = offset + s.numel() * dtype.bytes;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }
}

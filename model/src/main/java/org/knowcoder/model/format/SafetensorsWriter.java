package org.knowcoder.model.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes safetensors files: the header {@link SafetensorsFile} reads, then the tensors back to back.
 * {@link #writeF32} saves float arrays (training state, gradients, LoRA adapters) atomically.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tensor's name and shape. */
    record Spec(String name, long[] shape) {}

    /** An F32 tensor to write; {@code values} holds the product of {@code shape} floats, row-major. */
    public record Entry(String name, long[] shape, float[] values) {}

    /** Writes {@code entries} as F32 tensors to {@code file}, replacing it atomically. */
    public static void writeF32(Path file, List<Entry> entries) throws IOException {
        for (Entry e : entries) {
            long n = 1;
            for (long d : e.shape()) n *= d;
            if (n != e.values().length) throw new IllegalArgumentException(e.name() + ": " + e.values().length + " values for shape " + Arrays.toString(e.shape()));
        }
        byte[] header = header(entries.stream().map(e -> new Spec(e.name(), e.shape())).toList(), DType.F32);
        AtomicWrite.write(file, ch -> {
            TensorOutput out = new TensorOutput(ch);
            writeHeader(out, header);
            for (Entry e : entries) out.floats(e.values(), DType.F32);
            out.flush();
        });
    }

    /** The u64 little-endian header length, then the header. */
    static void writeHeader(TensorOutput out, byte[] header) throws IOException {
        for (int i = 0; i < 8; i++) out.uint8((int) ((long) header.length >>> (8 * i)));
        out.bytes(header);
    }

    /**
     * The JSON header: {"__metadata__": {"format": "pt"}, name: {dtype, shape, data_offsets}, ...},
     * offsets relative to the end of the header, padded with spaces to a multiple of 8 bytes so the
     * data that follows is aligned. transformers refuses files whose metadata lacks format "pt".
     */
    static byte[] header(List<Spec> specs, DType dtype) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Spec s : specs) {
            ObjectNode t = root.putObject(s.name());
            t.put("dtype", dtype.name());
            ArrayNode shape = t.putArray("shape");
            long n = 1;
            for (long d : s.shape()) {
                shape.add(d);
                n *= d;
            }
            long end = offset + n * dtype.bytes;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }
}

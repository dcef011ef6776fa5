package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/** Corrupted copies of fixture files, written into a test's temporary directory (fixtures are read-only). */
final class BadFiles {
    private BadFiles() {}

    /** The first {@code keep} bytes of {@code src}, as {@code dir/<name>}. */
    static Path truncated(Path src, long keep, Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(src);
        return Files.write(dir.resolve(src.getFileName()), Arrays.copyOf(bytes, (int) keep));
    }

    /** {@code src} with {@code extra} zero bytes appended. */
    static Path extended(Path src, int extra, Path dir) throws IOException {
        return truncated(src, Files.size(src) + extra, dir);
    }

    /** {@code src} with the little-endian int32 at {@code offset} replaced by {@code value}. */
    static Path withInt(Path src, int offset, int value, Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(src);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return Files.write(dir.resolve(src.getFileName()), bytes);
    }

    /** A safetensors file split into its JSON header and its data; {@link #writeHf} puts it back together. */
    record Safetensors(byte[] header, byte[] data) {
        private static final ObjectMapper JSON = new ObjectMapper();

        static Safetensors read(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            return new Safetensors(Arrays.copyOfRange(bytes, 8, 8 + n), Arrays.copyOfRange(bytes, 8 + n, bytes.length));
        }

        /** The same data with the header's tensor entries edited (remove one, change a shape...). */
        Safetensors editTensors(Consumer<ObjectNode> edit) {
            try {
                ObjectNode tree = (ObjectNode) JSON.readTree(header);
                edit.accept(tree);
                return new Safetensors(JSON.writeValueAsBytes(tree), data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Safetensors withHeader(String json) {
            return new Safetensors(json.getBytes(StandardCharsets.UTF_8), data);
        }

        Safetensors withData(byte[] newData) {
            return new Safetensors(header, newData);
        }

        /** Writes {@code dir/model.safetensors} with its true header length, and a copy of {@code config} beside it. */
        Path writeHf(Path dir, Path config) throws IOException {
            return writeHf(dir, config, header.length);
        }

        /** As {@link #writeHf(Path, Path)}, with {@code headerLength} in place of the header's true length. */
        Path writeHf(Path dir, Path config, long headerLength) throws IOException {
            Files.copy(config, dir.resolve("config.json"));
            ByteBuffer file = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
            file.putLong(headerLength).put(header).put(data);
            Files.write(dir.resolve("model.safetensors"), file.array());
            return dir;
        }
    }
}

package org.knowcoder.model.format;

import org.knowcoder.model.format.StateDictPickle.StoredTensor;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code torch.save} state dict in the zip format of torch 1.6 and later ({@code pytorch_model.bin}):
 * {@code <archive>/data.pkl}, read by {@link StateDictPickle}, and one stored entry
 * {@code <archive>/data/<key>} per storage, which tensors view at an offset with strides. The file is
 * memory-mapped; a contiguous tensor is a slice of it, a strided one (a transposed weight) is copied
 * into {@code arena} in row-major order.
 */
final class PyTorchFile {
    private PyTorchFile() {}

    /** torch.save's format before 1.6 starts with a pickled magic number: PROTO 2, LONG1 of 10 bytes. */
    private static final byte[] LEGACY_START = {(byte) 0x80, 2, (byte) 0x8a, 10};

    /** Whether {@code file} starts as a torch.save file of either format, zip or legacy. */
    public static boolean looksLikeOne(Path file) throws IOException {
        byte[] start = new byte[4];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.read(ByteBuffer.wrap(start)) < 4) return false;
        }
        return Arrays.equals(start, LEGACY_START)
                || ByteBuffer.wrap(start).order(ByteOrder.LITTLE_ENDIAN).getInt() == StoredZip.LOCAL_HEADER;
    }

    /** The tensors of {@code file}, their data memory-mapped through {@code arena}. */
    public static Map<String, Tensor> read(Path file, Arena arena) throws IOException {
        MemorySegment zip;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            zip = MappedFiles.mapReadOnly(ch, ch.size(), arena);
        }
        if (zip.byteSize() >= 4 && Arrays.equals(zip.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE), LEGACY_START)) {
            throw new CheckpointFormatException(file, "a torch.save file in the format of torch before 1.6, which is not read here;"
                    + " convert it once with a recent torch: torch.save(torch.load(f, weights_only=True), f),"
                    + " or to safetensors (safetensors.torch.save_file)");
        }
        Map<String, MemorySegment> entries = StoredZip.entries(file, zip);
        String prefix = archivePrefix(file, entries);
        MemorySegment byteorder = entries.get(prefix + "byteorder");
        if (byteorder != null && !new String(byteorder.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).equals("little")) {
            throw new CheckpointFormatException(file, "stored big-endian (" + prefix + "byteorder); this engine reads little-endian data");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : StateDictPickle.read(file, entries.get(prefix + "data.pkl")).entrySet()) {
            tensors.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), entries.get(prefix + "data/" + e.getValue().storage().key()), arena));
        }
        return tensors;
    }

    /** torch.save puts every entry in one folder named after the file (archive/, pytorch_model/...). */
    private static String archivePrefix(Path file, Map<String, MemorySegment> entries) throws CheckpointFormatException {
        for (String name : entries.keySet()) {
            int slash = name.indexOf('/');
            if (slash >= 0 && name.substring(slash + 1).equals("data.pkl")) return name.substring(0, slash + 1);
        }
        throw new CheckpointFormatException(file, "a zip archive without <archive>/data.pkl, so not a torch.save checkpoint");
    }

    private static Tensor tensor(Path file, String name, StoredTensor t, MemorySegment storage, Arena arena)
            throws CheckpointFormatException {
        DType dtype = switch (t.storage().type()) {
            case "FloatStorage" -> DType.F32;
            case "HalfStorage" -> DType.F16;
            case "BFloat16Storage" -> DType.BF16;
            default -> throw new CheckpointFormatException(file, "tensor " + name + " is stored as torch." + t.storage().type()
                    + " (expected FloatStorage, HalfStorage or BFloat16Storage)");
        };
        String key = t.storage().key();
        if (storage == null) throw new CheckpointFormatException(file, "tensor " + name + " refers to storage " + key + ", which the archive lacks");
        if (t.storage().numel() > storage.byteSize() / dtype.bytes) {
            throw new CheckpointFormatException(file, "storage " + key + " holds " + storage.byteSize() + " bytes, fewer than its "
                    + t.storage().numel() + " " + dtype + " values need");
        }
        long numel = 1, last = t.offset(); // last: the storage element of the view's last element
        try {
            for (int i = 0; i < t.size().length; i++) {
                numel = Math.multiplyExact(numel, t.size()[i]);
                if (t.size()[i] > 0) last = Math.addExact(last, Math.multiplyExact(t.size()[i] - 1, t.stride()[i]));
            }
        } catch (ArithmeticException e) {
            last = Long.MAX_VALUE;
        }
        if (t.offset() > t.storage().numel() || numel > 0 && last >= t.storage().numel()) {
            throw new CheckpointFormatException(file, "tensor " + name + " of size " + Arrays.toString(t.size()) + ", strides "
                    + Arrays.toString(t.stride()) + " at offset " + t.offset() + " reaches past storage " + key + " of " + t.storage().numel() + " values");
        }
        MemorySegment values = storage.asSlice(0, t.storage().numel() * dtype.bytes);
        return contiguous(t) ? Tensor.of(name, dtype, values.asSlice(t.offset() * dtype.bytes, numel * dtype.bytes), t.size())
                : Tensor.of(name, dtype, gather(values, t, numel, dtype.bytes, arena), t.size());
    }

    /** Row-major strides, ignoring dimensions of size 1 (whose stride nothing steps along). */
    private static boolean contiguous(StoredTensor t) {
        long expected = 1;
        for (int i = t.size().length - 1; i >= 0; i--) {
            if (t.size()[i] != 1 && t.stride()[i] != expected) return false;
            expected *= t.size()[i];
        }
        return true;
    }

    /** A row-major copy of a strided view, element by element (rare in checkpoints, so kept simple). */
    private static MemorySegment gather(MemorySegment storage, StoredTensor t, long numel, int bytes, Arena arena) {
        MemorySegment out = arena.allocate(numel * bytes);
        long[] index = new long[t.size().length];
        for (long i = 0; i < numel; i++) {
            long from = t.offset();
            for (int d = 0; d < index.length; d++) from += index[d] * t.stride()[d];
            MemorySegment.copy(storage, from * bytes, out, i * bytes, bytes);
            for (int d = index.length - 1; d >= 0 && ++index[d] == t.size()[d]; d--) index[d] = 0;
        }
        return out;
    }
}

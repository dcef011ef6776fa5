package org.knowcoder.model.format;

import org.knowcoder.io.AtomicWrite;
import org.knowcoder.tensor.DType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a state dict as {@code torch.save} does in torch 1.6 and later, which {@link PyTorchFile}
 * (and torch.load) read: a zip holding the pickle {@code <archive>/data.pkl}, the byte order, and
 * one stored entry {@code <archive>/data/<key>} per storage. Each tensor is the whole of a storage
 * of its own, as a state dict of separate parameters is, and its values stream from its
 * {@link StreamedTensor}, so a 10 GB shard passes through a buffer.
 */
final class TorchSaveWriter {
    private TorchSaveWriter() {}

    // the protocol-2 pickle opcodes a state dict is written with
    private static final int PROTO = 0x80, EMPTY_DICT = '}', MARK = '(', BINUNICODE = 'X', GLOBAL = 'c', BININT = 'J', LONG1 = 0x8a,
            TUPLE = 't', EMPTY_TUPLE = ')', BINPERSID = 'Q', REDUCE = 'R', NEWFALSE = 0x89, SETITEMS = 'u', STOP = '.';

    /** Writes {@code tensors}, all in {@code dtype} (F32, F16 or BF16), to {@code file} atomically. */
    static void write(Path file, List<StreamedTensor> tensors, DType dtype) throws IOException {
        String storage = switch (dtype) {
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            default -> throw new IllegalArgumentException("torch.save files here hold F32, F16 or BF16 tensors, not " + dtype);
        };
        // torch names the archive's one folder after the file, up to its last dot
        String fileName = file.getFileName().toString();
        String archive = (fileName.lastIndexOf('.') > 0 ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName) + "/";
        byte[] pickle = pickle(tensors, storage);
        AtomicWrite.write(file, ch -> {
            StoredZipWriter zip = new StoredZipWriter(ch);
            zip.entry(archive + "data.pkl", pickle);
            zip.entry(archive + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < tensors.size(); i++) {
                StreamedTensor t = tensors.get(i);
                t.body().write(zip.begin(archive + "data/" + i, t.numel() * dtype.bytes));
                zip.end();
            }
            zip.entry(archive + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        });
    }

    /**
     * The pickle torch.save writes for a dict of such tensors: name -> _rebuild_tensor_v2(storage,
     * offset 0, size, row-major stride, requires_grad False, an empty OrderedDict of hooks), the
     * storage a persistent id ("storage", its type, key i, "cpu", numel).
     */
    private static byte[] pickle(List<StreamedTensor> tensors, String storageType) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(PROTO);
        p.write(2);
        p.write(EMPTY_DICT);
        p.write(MARK);
        for (int i = 0; i < tensors.size(); i++) {
            StreamedTensor t = tensors.get(i);
            unicode(p, t.name());
            global(p, "torch._utils", "_rebuild_tensor_v2");
            p.write(MARK);
            p.write(MARK);
            unicode(p, "storage");
            global(p, "torch", storageType);
            unicode(p, Integer.toString(i));
            unicode(p, "cpu");
            integer(p, t.numel());
            p.write(TUPLE);
            p.write(BINPERSID);
            integer(p, 0);
            long[] stride = new long[t.shape().length];
            long step = 1;
            for (int d = stride.length - 1; d >= 0; d--) {
                stride[d] = step;
                step *= t.shape()[d];
            }
            tuple(p, t.shape());
            tuple(p, stride);
            p.write(NEWFALSE);
            global(p, "collections", "OrderedDict");
            p.write(EMPTY_TUPLE);
            p.write(REDUCE);
            p.write(TUPLE);
            p.write(REDUCE);
        }
        p.write(SETITEMS);
        p.write(STOP);
        return p.toByteArray();
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        p.write(BINUNICODE);
        littleEndian(p, utf8.length, 4);
        p.writeBytes(utf8);
    }

    private static void global(ByteArrayOutputStream p, String module, String name) {
        p.write(GLOBAL);
        p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** BININT where the value fits 32 signed bits, LONG1 of 8 bytes beyond. */
    private static void integer(ByteArrayOutputStream p, long v) {
        if (v == (int) v) {
            p.write(BININT);
            littleEndian(p, v, 4);
        } else {
            p.write(LONG1);
            p.write(8);
            littleEndian(p, v, 8);
        }
    }

    private static void tuple(ByteArrayOutputStream p, long[] values) {
        p.write(MARK);
        for (long v : values) integer(p, v);
        p.write(TUPLE);
    }

    private static void littleEndian(ByteArrayOutputStream p, long v, int bytes) {
        for (int i = 0; i < bytes; i++) p.write((int) (v >>> (8 * i)));
    }
}

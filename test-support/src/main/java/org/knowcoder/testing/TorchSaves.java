package org.knowcoder.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Files in {@code torch.save}'s zip layout (torch 1.6 and later), written by tests so that reading
 * them needs no Python: {@code archive/data.pkl}, a protocol-2 pickle built with {@link Pickle}, and
 * one stored entry {@code archive/data/<key>} per storage.
 */
public final class TorchSaves {
    private TorchSaves() {}

    /** One tensor as {@code _rebuild_tensor_v2} sees it: a view of storage {@code key} of {@code numel} values of a storage type. */
    public record View(String name, String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        /** The whole storage seen row-major in {@code size}. */
        public static View contiguous(String name, String storageType, String key, long... size) {
            long[] stride = new long[size.length];
            long numel = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                stride[i] = numel;
                numel *= size[i];
            }
            return new View(name, storageType, key, numel, 0, size, stride);
        }
    }

    /** The pickle torch.save writes for a state dict of {@code views}. */
    public static Pickle stateDict(List<View> views) {
        Pickle p = new Pickle().op(0x80).op(2).op('}').op('(');
        for (View v : views) {
            p.string(v.name()).global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').string("storage").global("torch", v.storageType()).string(v.key()).string("cpu").integer(v.numel()).op('t').op('Q');
            p.integer(v.offset()).ints(v.size()).ints(v.stride()).op(0x89);
            p.global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        return p.op('u').op('.');
    }

    /** A zip of {@code pickle} and {@code storages} (entries data/<key>), stored uncompressed as torch.save does. */
    public static Path write(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file)); ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) stored(zip, "archive/data/" + e.getKey(), e.getValue());
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** Pickle opcodes, appended one by one: a state dict, or one gone wrong in a chosen place. */
    public static final class Pickle {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        public Pickle op(int opcode) {
            bytes.write(opcode);
            return this;
        }

        /** BINUNICODE. */
        public Pickle string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            op('X').le(utf8.length, 4);
            bytes.writeBytes(utf8);
            return this;
        }

        /** GLOBAL: module and name, each ended by a newline. */
        public Pickle global(String module, String name) {
            op('c');
            bytes.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /** BININT for what fits 32 bits, else LONG1 of 8 bytes. */
        public Pickle integer(long v) {
            return v == (int) v ? op('J').le(v, 4) : op(0x8a).op(8).le(v, 8);
        }

        /** A tuple of integers (MARK ... TUPLE). */
        public Pickle ints(long... values) {
            op('(');
            for (long v : values) integer(v);
            return op('t');
        }

        public byte[] bytes() {
            return bytes.toByteArray();
        }

        private Pickle le(long v, int n) {
            for (int i = 0; i < n; i++) bytes.write((int) (v >>> (8 * i)));
            return this;
        }
    }
}

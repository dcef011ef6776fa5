package org.knowcoder.model.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a zip archive of stored (uncompressed) entries as {@code torch.save} does; {@link StoredZip}
 * reads it back. Three things make it fit checkpoints of any size:
 * <ul>
 * <li>each entry's data starts on a 64-byte boundary, as torch pads the local header's extra field,
 *     so a reader maps tensors in place and the kernels read aligned rows;</li>
 * <li>data streams through: an entry's size is known before it starts (a tensor's bytes), and its
 *     CRC-32 is taken on the way ({@link TensorOutput#startCrc}) and written into the local header
 *     when it ends, so nothing is held;</li>
 * <li>ZIP64 records wherever a size, an offset or the entry count passes what the 32- and 16-bit
 *     fields hold: a 7B model's shards are about 10 GB, so their later entries start past 4 GiB.</li>
 * </ul>
 */
final class StoredZipWriter {
    /** torch's alignment of entry data (caffe2's kFieldAlignment). */
    static final int ALIGNMENT = 64;
    private static final int LOCAL_HEADER = StoredZip.LOCAL_HEADER, CENTRAL_HEADER = 0x02014b50, END = 0x06054b50,
            END64 = 0x06064b50, END64_LOCATOR = 0x07064b50;
    /** The extra field torch pads with ("FB"); readers skip extra fields they do not know. */
    private static final short PADDING_ID = 0x4246;
    private static final short ZIP64_ID = 1;
    /** Versions needed to extract: 2.0 for stored entries, 4.5 once ZIP64 records are involved. */
    private static final short PLAIN = 20, WITH_ZIP64 = 45;
    /** 1980-01-01 in MS-DOS form: the earliest date a zip can hold; the entries carry no meaningful time. */
    private static final short DATE = 0x21;
    /** Values that do not fit below these go to ZIP64 records (the all-ones value itself says "look there"). */
    private static final long MAX32 = 0xffffffffL;
    private static final int MAX16 = 0xffff;
    /** Bit 11 of the flags: the name is UTF-8. */
    private static final short UTF8_NAME = 0x800;

    private record Written(byte[] name, long offset, long size, long crc) {}

    private final FileChannel channel;
    private final TensorOutput out;
    private final boolean alwaysZip64;
    private final List<Written> written = new ArrayList<>();
    /** The entry being written: its name (null when none), where its local header and data start, its size. */
    private byte[] name;
    private long local, dataStart, size;

    /** An archive written from the start of {@code channel}, an empty file. */
    StoredZipWriter(FileChannel channel) {
        this(channel, false);
    }

    /** {@code alwaysZip64}: every size and offset in ZIP64 records, so tests reach that path with small archives. */
    StoredZipWriter(FileChannel channel, boolean alwaysZip64) {
        this.channel = channel;
        this.out = new TensorOutput(channel);
        this.alwaysZip64 = alwaysZip64;
    }

    /** A whole entry from {@code data}. */
    void entry(String entryName, byte[] data) throws IOException {
        begin(entryName, data.length).bytes(data);
        end();
    }

    /** Starts entry {@code entryName} of {@code bytes} bytes: write them to the returned output, then call {@link #end}. */
    TensorOutput begin(String entryName, long bytes) throws IOException {
        if (name != null) throw new IllegalStateException("entry " + new String(name, StandardCharsets.UTF_8) + " is not ended");
        name = entryName.getBytes(StandardCharsets.UTF_8);
        local = out.position();
        size = bytes;
        boolean big = alwaysZip64 || bytes >= MAX32;
        int zip64 = big ? 4 + 16 : 0;
        // the padding field's own 4-byte header always goes in, then zeros up to the boundary
        long unpadded = local + 30 + name.length + zip64 + 4;
        int pad = (int) ((ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT);
        out.int32(LOCAL_HEADER);
        out.int16(big ? WITH_ZIP64 : PLAIN);
        out.int16(flags(name));
        out.int16((short) 0); // stored
        out.int16((short) 0); // time
        out.int16(DATE);
        out.int32(0); // the CRC-32, written by end()
        out.int32(big ? -1 : (int) bytes); // compressed size
        out.int32(big ? -1 : (int) bytes); // size
        out.int16((short) name.length);
        out.int16((short) (zip64 + 4 + pad));
        out.bytes(name);
        if (big) {
            out.int16(ZIP64_ID);
            out.int16((short) 16);
            out.int64(bytes);
            out.int64(bytes);
        }
        out.int16(PADDING_ID);
        out.int16((short) pad);
        out.zeros(pad);
        dataStart = out.position();
        out.startCrc();
        return out;
    }

    /** Ends the entry begun last, which must have received exactly its bytes. */
    void end() throws IOException {
        long crc = out.endCrc(), got = out.position() - dataStart;
        if (got != size) {
            throw new IllegalStateException("entry " + new String(name, StandardCharsets.UTF_8) + " got " + got + " bytes, not the " + size + " it announced");
        }
        out.flush(); // the local header is on disk now, to be patched in place
        ByteBuffer field = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc).flip();
        while (field.hasRemaining()) channel.write(field, local + 14 + field.position());
        written.add(new Written(name, local, size, crc));
        name = null;
    }

    /** The central directory and the end records; the archive is complete once this returns. */
    void finish() throws IOException {
        if (name != null) throw new IllegalStateException("entry " + new String(name, StandardCharsets.UTF_8) + " is not ended");
        long dirStart = out.position();
        for (Written e : written) {
            boolean bigSize = alwaysZip64 || e.size() >= MAX32, bigOffset = alwaysZip64 || e.offset() >= MAX32;
            // the ZIP64 field holds, in this order, only the values whose own fields are all ones
            int zip64 = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
            out.int32(CENTRAL_HEADER);
            out.int16(WITH_ZIP64); // made by
            out.int16(zip64 > 0 ? WITH_ZIP64 : PLAIN);
            out.int16(flags(e.name()));
            out.int16((short) 0);
            out.int16((short) 0);
            out.int16(DATE);
            out.int32((int) e.crc());
            out.int32(bigSize ? -1 : (int) e.size());
            out.int32(bigSize ? -1 : (int) e.size());
            out.int16((short) e.name().length);
            out.int16((short) (zip64 > 0 ? 4 + zip64 : 0));
            out.int16((short) 0); // comment
            out.int16((short) 0); // disk
            out.int16((short) 0); // internal attributes
            out.int32(0); // external attributes
            out.int32(bigOffset ? -1 : (int) e.offset());
            out.bytes(e.name());
            if (zip64 > 0) {
                out.int16(ZIP64_ID);
                out.int16((short) zip64);
                if (bigSize) {
                    out.int64(e.size());
                    out.int64(e.size());
                }
                if (bigOffset) out.int64(e.offset());
            }
        }
        long dirSize = out.position() - dirStart, count = written.size();
        boolean big = alwaysZip64 || count >= MAX16 || dirSize >= MAX32 || dirStart >= MAX32;
        if (big) {
            long end64 = out.position();
            out.int32(END64);
            out.int64(44); // the record's size after this field
            out.int16(WITH_ZIP64);
            out.int16(WITH_ZIP64);
            out.int32(0); // this disk
            out.int32(0); // the directory's disk
            out.int64(count);
            out.int64(count);
            out.int64(dirSize);
            out.int64(dirStart);
            out.int32(END64_LOCATOR);
            out.int32(0);
            out.int64(end64);
            out.int32(1); // disks
        }
        out.int32(END);
        out.int16((short) 0);
        out.int16((short) 0);
        out.int16((short) (big ? MAX16 : count));
        out.int16((short) (big ? MAX16 : count));
        out.int32(big ? -1 : (int) dirSize);
        out.int32(big ? -1 : (int) dirStart);
        out.int16((short) 0); // comment
        out.flush();
    }

    private static short flags(byte[] name) {
        for (byte b : name) if (b < 0) return UTF8_NAME;
        return 0;
    }
}

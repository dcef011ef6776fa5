package org.knowcoder.model.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of a zip archive that is already memory-mapped, each a slice of the mapping: the
 * central directory gives each entry's local header, which gives where its bytes start. Only stored
 * (uncompressed) entries, as {@code torch.save} writes them, so nothing is inflated or copied; ZIP64
 * is read, since a 7B shard passes 4 GB.
 */
final class StoredZip {
    private StoredZip() {}

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50, END = 0x06054b50, END64 = 0x06064b50, END64_LOCATOR = 0x07064b50;
    private static final int END_SIZE = 22, MAX_COMMENT = 0xffff;
    /** A 16- or 32-bit field holding this says the value is in the ZIP64 extra field. */
    private static final long MAX16 = 0xffff, MAX32 = 0xffffffffL;

    /** The entries of {@code zip} (the whole file, mapped) by name. */
    static Map<String, MemorySegment> entries(Path file, MemorySegment zip) throws CheckpointFormatException {
        long end = findEnd(file, zip);
        long count = u16(zip, end + 10), dirSize = u32(zip, end + 12), dirStart = u32(zip, end + 16);
        if (count == MAX16 || dirSize == MAX32 || dirStart == MAX32) {
            long locator = end - 20;
            if (locator < 0 || zip.get(U32, locator) != END64_LOCATOR) throw corrupt(file, "the ZIP64 end record is missing");
            long end64 = zip.get(U64, locator + 8);
            if (end64 < 0 || end64 > zip.byteSize() - 56 || zip.get(U32, end64) != END64) throw corrupt(file, "the ZIP64 end record is missing");
            count = zip.get(U64, end64 + 32);
            dirSize = zip.get(U64, end64 + 40);
            dirStart = zip.get(U64, end64 + 48);
        }
        if (dirStart < 0 || dirSize < 0 || dirStart > zip.byteSize() || dirSize > zip.byteSize() - dirStart) {
            throw corrupt(file, "its central directory lies beyond the end of the file (truncated?)");
        }
        Map<String, MemorySegment> entries = new LinkedHashMap<>();
        long at = dirStart;
        for (long i = 0; i < count; i++) {
            if (at + 46 > dirStart + dirSize || zip.get(U32, at) != CENTRAL_HEADER) throw corrupt(file, "central directory entry " + i + " is damaged");
            int method = u16(zip, at + 10), nameLen = u16(zip, at + 28), extraLen = u16(zip, at + 30), commentLen = u16(zip, at + 32);
            long size = u32(zip, at + 24), compressed = u32(zip, at + 20), local = u32(zip, at + 42);
            if (at + 46 + nameLen + extraLen > dirStart + dirSize) throw corrupt(file, "central directory entry " + i + " is damaged");
            String name = new String(zip.asSlice(at + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // the ZIP64 extra field holds, in this order, only the values whose 32-bit fields are all ones
            long[] big = zip64Extra(zip, at + 46 + nameLen, extraLen);
            int next = 0;
            if (size == MAX32 && next < big.length) size = big[next++];
            if (compressed == MAX32 && next < big.length) compressed = big[next++];
            if (local == MAX32 && next < big.length) local = big[next];
            if (method != 0) throw corrupt(file, "entry " + name + " is compressed (method " + method + "); torch.save stores entries uncompressed");
            entries.put(name, data(file, zip, name, local, size));
            at += 46 + nameLen + extraLen + commentLen;
        }
        return entries;
    }

    /** The end of central directory record: the last one, searched back over a possible comment. */
    private static long findEnd(Path file, MemorySegment zip) throws CheckpointFormatException {
        long last = zip.byteSize() - END_SIZE;
        for (long at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
            if (zip.get(U32, at) == END) return at;
        }
        throw corrupt(file, "no end of central directory record (truncated, or not a zip archive)");
    }

    private static long[] zip64Extra(MemorySegment zip, long start, int length) {
        for (long at = start; at + 4 <= start + length; ) {
            int id = u16(zip, at), size = u16(zip, at + 2);
            if (at + 4 + size > start + length) break;
            if (id == 1) {
                long[] values = new long[size / 8];
                for (int i = 0; i < values.length; i++) values[i] = zip.get(U64, at + 4 + 8L * i);
                return values;
            }
            at += 4 + size;
        }
        return new long[0];
    }

    private static MemorySegment data(Path file, MemorySegment zip, String name, long local, long size) throws CheckpointFormatException {
        if (local < 0 || local > zip.byteSize() - 30 || zip.get(U32, local) != LOCAL_HEADER) {
            throw corrupt(file, "entry " + name + " has no local header where the central directory says (truncated?)");
        }
        long start = local + 30 + u16(zip, local + 26) + u16(zip, local + 28);
        if (size < 0 || size > zip.byteSize() - start) {
            throw corrupt(file, "entry " + name + " runs " + size + " bytes from byte " + start + ", beyond the end of the file (truncated?)");
        }
        return zip.asSlice(start, size);
    }

    private static int u16(MemorySegment zip, long at) {
        return Short.toUnsignedInt(zip.get(U16, at));
    }

    private static long u32(MemorySegment zip, long at) {
        return Integer.toUnsignedLong(zip.get(U32, at));
    }

    private static CheckpointFormatException corrupt(Path file, String problem) {
        return new CheckpointFormatException(file, "damaged zip archive: " + problem);
    }
}

package org.knowcoder.model.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.tensor.MappedFiles;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The streaming zip writer against two readers: ours ({@link StoredZip}, which maps the entries in
 * place) and the JDK's, which checks the records independently. A real ZIP64 archive passes 4 GiB;
 * {@code alwaysZip64} puts a small one's sizes and offsets in the same records.
 */
class StoredZipWriterTest {
    @TempDir
    Path dir;

    private static Map<String, byte[]> entries() {
        Random rng = new Random(7);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int size : new int[] {0, 1, 63, 64, 100, 70_000, 3 << 20}) {
            byte[] data = new byte[size];
            rng.nextBytes(data);
            entries.put("archive/data/" + size, data);
        }
        entries.put("archive/näme", new byte[] {1, 2, 3}); // a UTF-8 name
        return entries;
    }

    private Path write(Map<String, byte[]> entries, boolean alwaysZip64) throws IOException {
        Path file = dir.resolve("a.zip");
        AtomicWrite.write(file, ch -> {
            StoredZipWriter zip = new StoredZipWriter(ch, alwaysZip64);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) zip.entry(e.getKey(), e.getValue());
            zip.finish();
        });
        return file;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void bothReadersFindEveryEntryAlignedAndChecksummed(boolean alwaysZip64) throws IOException {
        Map<String, byte[]> entries = entries();
        Path file = write(entries, alwaysZip64);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment zip = MappedFiles.mapReadOnly(ch, ch.size(), arena);
            Map<String, MemorySegment> read = StoredZip.entries(file, zip);
            assertEquals(entries.keySet(), read.keySet());
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                MemorySegment data = read.get(e.getKey());
                assertArrayEquals(e.getValue(), data.toArray(ValueLayout.JAVA_BYTE), e.getKey());
                assertEquals(0, (data.address() - zip.address()) % StoredZipWriter.ALIGNMENT, e.getKey() + " is not aligned");
            }
        }
        try (ZipFile jdk = new ZipFile(file.toFile())) {
            assertEquals(entries.size(), jdk.size());
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = jdk.getEntry(e.getKey());
                assertEquals(ZipEntry.STORED, entry.getMethod());
                assertEquals(e.getValue().length, entry.getSize());
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                assertEquals(crc.getValue(), entry.getCrc(), e.getKey());
                try (InputStream in = jdk.getInputStream(entry)) {
                    assertArrayEquals(e.getValue(), in.readAllBytes(), e.getKey());
                }
            }
        }
    }

    @Test
    void anEntryMustGetTheBytesItAnnounced() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AtomicWrite.write(dir.resolve("b.zip"), ch -> {
            StoredZipWriter zip = new StoredZipWriter(ch);
            zip.begin("x", 10).bytes(new byte[9]);
            zip.end();
        }));
        assertEquals("entry x got 9 bytes, not the 10 it announced", e.getMessage());
        assertEquals(0, dir.toFile().list().length, "a failed write leaves nothing behind");
    }

    @Test
    void theCentralDirectoryWaitsForTheOpenEntry() {
        assertThrows(IllegalStateException.class, () -> AtomicWrite.write(dir.resolve("c.zip"), ch -> {
            StoredZipWriter zip = new StoredZipWriter(ch);
            zip.begin("x", 1);
            zip.finish();
        }));
        assertFalse(Files.exists(dir.resolve("c.zip")));
    }
}

package org.knowcoder.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The writer and the reader agree on the one format, and the header appears only on commit. */
class TokenShardsTest {

    @Test
    void whatTheWriterCommitsTheReaderReads(@TempDir Path dir) throws IOException {
        Path header = TokenShards.header(dir, "s");
        try (TokenShardWriter w = new TokenShardWriter(dir, "s", 16, "tok.bin")) {
            w.add(new int[] {1, 5, 6, 7, 2}, 5, 0);
            w.add(new int[] {1, 9, 2, 99}, 3, 2); // only the first three ids are the sequence
            assertEquals(8, w.tokens());
            assertEquals(2, w.sequences());
            assertFalse(Files.exists(header));
            w.commit();
        }
        assertTrue(Files.readString(header).startsWith("{\"format\":\"knowcoder-shard-1\",\"vocab_size\":16,\"tokens\":8,\"sequences\":[[0,5],[5,3]]"));

        TokenShardReader r = TokenShardReader.open(header, 32);
        assertEquals(2, r.size());
        assertArrayEquals(new int[] {1, 5, 6, 7, 2}, r.read(0).tokens());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1}, r.read(0).mask());
        assertArrayEquals(new int[] {1, 9, 2}, r.read(1).tokens());
        assertArrayEquals(new int[] {0, 0, 1}, r.read(1).mask());

        BadInputException e = assertThrows(BadInputException.class, () -> TokenShardReader.open(header, 8));
        assertTrue(e.getMessage().contains("vocabulary of 16"), e.getMessage());
    }

    @Test
    void anUncommittedShardLeavesNothing(@TempDir Path dir) throws IOException {
        try (TokenShardWriter w = new TokenShardWriter(dir, "s", 16, "tok.bin")) {
            w.add(new int[] {1, 2}, 2, 0);
        }
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}

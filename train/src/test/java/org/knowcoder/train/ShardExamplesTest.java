package org.knowcoder.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.training.TokenBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token shards in the data builder's format: read back through the memory map, and refused when they cannot fit the model. */
class ShardExamplesTest {
    private static final int[][] SEQUENCES = {{1, 5, 6, 7, 2}, {1, 9, 2}, {1, 4, 4, 4, 4, 8, 2}};
    private static final int[] MASK_FROM = {0, 2, 4};

    /** Writes the three sequences above as NAME.tokens, NAME.mask and NAME.json, as io's TokenShardWriter does. */
    static Path write(Path dir, int vocabSize) throws IOException {
        int total = 0;
        for (int[] s : SEQUENCES) total += s.length;
        ByteBuffer ids = ByteBuffer.allocate(4 * total).order(ByteOrder.LITTLE_ENDIAN);
        byte[] mask = new byte[total];
        StringBuilder seqs = new StringBuilder();
        int at = 0;
        for (int i = 0; i < SEQUENCES.length; i++) {
            for (int j = 0; j < SEQUENCES[i].length; j++) {
                ids.putInt(SEQUENCES[i][j]);
                mask[at + j] = (byte) (j >= MASK_FROM[i] ? 1 : 0);
            }
            seqs.append(i > 0 ? ", " : "").append('[').append(at).append(", ").append(SEQUENCES[i].length).append(']');
            at += SEQUENCES[i].length;
        }
        Files.write(dir.resolve("s.tokens"), ids.array());
        Files.write(dir.resolve("s.mask"), mask);
        return Files.writeString(dir.resolve("s.json"), "{\"format\": \"knowcoder-shard-1\", \"vocab_size\": " + vocabSize
                + ", \"tokens\": " + total + ", \"sequences\": [" + seqs + "], \"tokenizer\": \"tok.bin\"}\n");
    }

    @Test
    void readsSequencesAndMasks(@TempDir Path dir) throws IOException {
        ShardExamples shard = ShardExamples.open(write(dir, 16), 32);
        assertTrue(ShardExamples.isShard(dir.resolve("s.json")));
        assertEquals(3, shard.size());
        assertArrayEquals(SEQUENCES[2], shard.get(2).tokens());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1}, shard.get(2).mask());
        assertArrayEquals(new int[] {0, 0, 1}, shard.get(1).mask());

        List<TokenBatch> batch = new Examples(shard, 4, 1).step(0, 3, 3);
        assertEquals(1, batch.size());
        // targets in the loss: 4 of sequence 0 (cut to 5 tokens), 1 of sequence 1, 1 of sequence 2 (cut after its first masked token)
        assertEquals(4 + 1 + 1, batch.getFirst().weightSum());
    }

    @Test
    void vocabularyLargerThanTheModelsIsRefused(@TempDir Path dir) throws IOException {
        Path header = write(dir, 32000);
        BadInputException e = assertThrows(BadInputException.class, () -> ShardExamples.open(header, 512));
        assertTrue(e.getMessage().startsWith(header.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("vocabulary of 32000 does not fit the model's vocabulary of 512"), e.getMessage());
    }

    @Test
    void truncatedTokenFileIsRefused(@TempDir Path dir) throws IOException {
        Path header = write(dir, 16);
        Files.write(dir.resolve("s.tokens"), new byte[8]);
        BadInputException e = assertThrows(BadInputException.class, () -> ShardExamples.open(header, 16));
        assertTrue(e.getMessage().contains("s.tokens: 8 bytes, the header promises 60"), e.getMessage());
    }
}

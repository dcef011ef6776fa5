package org.knowcoder.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a token shard ({@link TokenShards}): the data files are memory-mapped and a sequence is
 * copied out only when it is read. Everything the header promises is checked on opening, so a bad
 * shard is refused before any training step.
 */
public final class TokenShardReader {
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One sequence: its token ids and, per token, 1 where it counts in the loss. */
    public record Sequence(int[] tokens, int[] mask) {}

    private final Path header;
    private final int vocabSize;
    private final MemorySegment tokens, mask;
    private final long[] starts;
    private final int[] lengths;

    private TokenShardReader(Path header, int vocabSize, MemorySegment tokens, MemorySegment mask, long[] starts, int[] lengths) {
        this.header = header;
        this.vocabSize = vocabSize;
        this.tokens = tokens;
        this.mask = mask;
        this.starts = starts;
        this.lengths = lengths;
    }

    /** Opens the shard whose header is {@code header}; its vocabulary must fit in the model's {@code vocabSize}. */
    public static TokenShardReader open(Path header, int vocabSize) throws IOException {
        JsonNode h = new ObjectMapper().readTree(header.toFile());
        if (h == null || !TokenShards.FORMAT.equals(h.path("format").asText())) {
            throw new BadInputException(header + ": not a " + TokenShards.FORMAT + " shard header");
        }
        int shardVocab = h.path("vocab_size").asInt(-1);
        if (shardVocab < 1 || shardVocab > vocabSize) {
            throw new BadInputException(header + ": the shard's vocabulary of " + shardVocab
                    + " does not fit the model's vocabulary of " + vocabSize + " (tokenized for another model?)");
        }
        long total = h.path("tokens").asLong(-1);
        // mapped for as long as the reader is reachable: the mapping dies with it
        Arena arena = Arena.ofAuto();
        MemorySegment tokens = map(TokenShards.tokens(header), 4 * total, arena);
        MemorySegment mask = map(TokenShards.mask(header), total, arena);
        JsonNode seqs = h.path("sequences");
        long[] starts = new long[seqs.size()];
        int[] lengths = new int[seqs.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = seqs.get(i).path(0).asLong(-1);
            long length = seqs.get(i).path(1).asLong(-1);
            if (starts[i] < 0 || length < 1 || length > Integer.MAX_VALUE || starts[i] + length > total) {
                throw new BadInputException(header + ": sequence " + i + " " + seqs.get(i) + " lies outside the shard's " + total + " tokens");
            }
            lengths[i] = (int) length;
        }
        return new TokenShardReader(header, vocabSize, tokens, mask, starts, lengths);
    }

    private static MemorySegment map(Path file, long expectedBytes, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != expectedBytes) {
                throw new BadInputException(file + ": " + ch.size() + " bytes, the header promises " + expectedBytes);
            }
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, expectedBytes, arena);
        }
    }

    /** The number of sequences. */
    public int size() {
        return starts.length;
    }

    /** The token count of sequence {@code index}, without reading it. */
    public int length(int index) {
        return lengths[index];
    }

    /** Sequence {@code index}, copied out of the mapping. */
    public Sequence read(int index) {
        int n = lengths[index];
        int[] t = new int[n], m = new int[n];
        long start = starts[index];
        for (int i = 0; i < n; i++) {
            t[i] = tokens.getAtIndex(INT_LE, start + i);
            // the header vouched for the vocabulary; a stray id would otherwise surface as an index error deep in the embedding
            if (t[i] < 0 || t[i] >= vocabSize) {
                throw new BadInputException(header + ": sequence " + index + " holds token id " + t[i]
                        + ", outside the model's vocabulary of " + vocabSize);
            }
            m[i] = mask.get(ValueLayout.JAVA_BYTE, start + i);
        }
        return new Sequence(t, m);
    }
}

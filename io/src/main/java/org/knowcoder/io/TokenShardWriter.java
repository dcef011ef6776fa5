package org.knowcoder.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a token shard ({@link TokenShards}), its three files atomically: nothing appears unless
 * {@link #commit()} runs, and the header is moved into place last.
 */
public final class TokenShardWriter implements AutoCloseable {
    private final Path header;
    private final int vocabSize;
    private final String tokenizer;
    private final AtomicOutput tokens, mask;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long[] sequences = new long[1024]; // start, length pairs
    private int count;
    private long total;

    /** A shard {@code <dir>/<name>.*} of ids below {@code vocabSize}, made with the tokenizer at {@code tokenizer}. */
    public TokenShardWriter(Path dir, String name, int vocabSize, String tokenizer) throws IOException {
        this.header = TokenShards.header(dir, name);
        this.vocabSize = vocabSize;
        this.tokenizer = tokenizer;
        this.tokens = new AtomicOutput(TokenShards.tokens(header));
        this.mask = new AtomicOutput(TokenShards.mask(header));
    }

    /** Appends ids[0, length) as one sequence; tokens from {@code maskFrom} on count in the loss. */
    public void add(int[] ids, int length, int maskFrom) throws IOException {
        for (int i = 0; i < length; i++) {
            if (buf.remaining() < 4) flush();
            buf.putInt(ids[i]);
        }
        flush();
        byte[] m = new byte[length];
        Arrays.fill(m, Math.clamp(maskFrom, 0, length), length, (byte) 1);
        mask.write(m);
        if (2 * count + 2 > sequences.length) sequences = Arrays.copyOf(sequences, sequences.length * 2);
        sequences[2 * count] = total;
        sequences[2 * count + 1] = length;
        count++;
        total += length;
    }

    private void flush() throws IOException {
        tokens.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    public long tokens() {
        return total;
    }

    public int sequences() {
        return count;
    }

    /** Moves the data files into place, then writes the header. */
    public void commit() throws IOException {
        tokens.commit();
        mask.commit();
        try (AtomicOutput out = new AtomicOutput(header)) {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                g.writeStartObject();
                g.writeStringField("format", TokenShards.FORMAT);
                g.writeNumberField("vocab_size", vocabSize);
                g.writeNumberField("tokens", total);
                g.writeArrayFieldStart("sequences");
                for (int i = 0; i < count; i++) {
                    g.writeStartArray();
                    g.writeNumber(sequences[2 * i]);
                    g.writeNumber(sequences[2 * i + 1]);
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeStringField("tokenizer", tokenizer);
                g.writeEndObject();
            }
            out.write('\n');
            out.commit();
        }
    }

    @Override
    public void close() throws IOException {
        tokens.close();
        mask.close();
    }
}

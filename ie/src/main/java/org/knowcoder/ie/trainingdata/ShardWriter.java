package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.knowcoder.io.AtomicOutput;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tokenized training sequences the trainer memory-maps, three files written atomically:
 * <ul>
 * <li>{@code <name>.tokens}: the token ids of all sequences back to back, little-endian int32;</li>
 * <li>{@code <name>.mask}: one byte per token, 1 where the token counts in the loss;</li>
 * <li>{@code <name>.json}: {@code {"format": "knowcoder-shard-1", "vocab_size": N, "tokens": T,
 *     "sequences": [[start, length], ...], "tokenizer": "path"}}, start and length in tokens.</li>
 * </ul>
 * The header is moved into place last, so a reader that finds it finds the data complete.
 */
final class ShardWriter implements AutoCloseable {
    static final String FORMAT = "knowcoder-shard-1";

    private final Path dir;
    private final String name;
    private final int vocabSize;
    private final String tokenizer;
    private final AtomicOutput tokens, mask;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long[] sequences = new long[1024]; // start, length pairs
    private int count;
    private long total;

    ShardWriter(Path dir, String name, int vocabSize, String tokenizer) throws IOException {
        this.dir = dir;
        this.name = name;
        this.vocabSize = vocabSize;
        this.tokenizer = tokenizer;
        this.tokens = new AtomicOutput(dir.resolve(name + ".tokens"));
        this.mask = new AtomicOutput(dir.resolve(name + ".mask"));
    }

    /** Appends ids[0, length) as one sequence; tokens from {@code maskFrom} on count in the loss. */
    void add(int[] ids, int length, int maskFrom) throws IOException {
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

    long tokens() {
        return total;
    }

    int sequences() {
        return count;
    }

    /** Moves the data files into place, then writes the header. */
    void commit() throws IOException {
        tokens.commit();
        mask.commit();
        try (AtomicOutput header = new AtomicOutput(dir.resolve(name + ".json"))) {
            try (JsonGenerator g = new JsonFactory().createGenerator(header, JsonEncoding.UTF8)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                g.writeStartObject();
                g.writeStringField("format", FORMAT);
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
            header.write('\n');
            header.commit();
        }
    }

    @Override
    public void close() throws IOException {
        tokens.close();
        mask.close();
    }
}

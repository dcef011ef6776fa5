package org.knowcoder.ie.trainingdata;

import org.knowcoder.io.TokenShardWriter;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The token shard of built training texts ({@link TokenShardWriter}): one sequence per text
 * (instructions, the loss from each text's {@code maskFrom} on) or, with a pack length, all texts'
 * ids back to back cut into sequences of that length (pretraining, loss everywhere), the last one
 * shorter. Given the texts in the order {@code build-data} writes them, it writes
 * {@code build-data}'s shard byte for byte, wherever the ids were made (module spark streams them to
 * its driver). Nothing appears unless {@link #commit()} runs.
 */
public final class TrainingShard implements AutoCloseable {
    private final TokenShardWriter shard;
    private final int packLength;
    private final int[] pack;
    private int packed;

    /** The shard {@code <dir>/<name>.*} of ids below {@code vocabSize}; {@code packLength} 0: one sequence per text. */
    public TrainingShard(Path dir, String name, int vocabSize, String tokenizerPath, int packLength) throws IOException {
        if (packLength < 0) throw new IllegalArgumentException("pack length " + packLength);
        this.shard = new TokenShardWriter(dir, name, vocabSize, tokenizerPath);
        this.packLength = packLength;
        this.pack = packLength > 0 ? new int[packLength] : null;
    }

    /** Appends a text's ids (BOS and EOS included); without packing, ids from {@code maskFrom} on count in the loss. */
    public void add(int[] ids, int maskFrom) throws IOException {
        if (pack == null) {
            shard.add(ids, ids.length, maskFrom);
            return;
        }
        for (int i = 0; i < ids.length; ) {
            int n = Math.min(ids.length - i, packLength - packed);
            System.arraycopy(ids, i, pack, packed, n);
            packed += n;
            i += n;
            if (packed == packLength) {
                shard.add(pack, packed, 0);
                packed = 0;
            }
        }
    }

    /** Tokens written so far (a pack still being filled not counted). */
    public long tokens() {
        return shard.tokens();
    }

    public long sequences() {
        return shard.sequences();
    }

    /** Writes the last, shorter packed sequence and moves the files into place. */
    public void commit() throws IOException {
        if (pack != null && packed > 0) shard.add(pack, packed, 0);
        packed = 0;
        shard.commit();
    }

    @Override
    public void close() throws IOException {
        shard.close();
    }
}

package org.knowcoder.train;

import org.knowcoder.io.TokenShardReader;

import java.io.IOException;
import java.nio.file.Path;

/** Training examples from a token shard of the data builder ({@link TokenShardReader}), one per sequence. */
public final class ShardExamples implements Examples.Source {
    private final TokenShardReader shard;

    private ShardExamples(TokenShardReader shard) {
        this.shard = shard;
    }

    /** Whether {@code data} names a shard header rather than JSON lines. */
    public static boolean isShard(Path data) {
        return data.getFileName().toString().endsWith(".json");
    }

    /** Opens the shard whose header is {@code header}; its vocabulary must fit in {@code vocabSize}. */
    public static ShardExamples open(Path header, int vocabSize) throws IOException {
        return new ShardExamples(TokenShardReader.open(header, vocabSize));
    }

    @Override
    public int size() {
        return shard.size();
    }

    @Override
    public int length(int index) {
        return shard.length(index);
    }

    @Override
    public Examples.Example get(int index) {
        TokenShardReader.Sequence s = shard.read(index);
        return new Examples.Example(s.tokens(), s.mask());
    }
}

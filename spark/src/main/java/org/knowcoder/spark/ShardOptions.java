package org.knowcoder.spark;

import org.knowcoder.io.BadInputException;
import org.knowcoder.tokenizer.Tokenizers;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The data jobs' token shard: build-data's {@code --tokenizer} (read on the driver and on every
 * executor at that path), and where the shard goes, {@code --shards}: a directory on the driver's
 * file system, as the shard is written there from the ids the executors made. Both or neither.
 */
final class ShardOptions {
    @Option(names = "--tokenizer", paramLabel = "PATH", description = "also write the token shard (ids, loss mask, header) to --shards; "
            + "at this path on the driver and every executor")
    String tokenizer;

    @Option(names = "--shards", paramLabel = "DIR", description = "directory on the driver for the token shard (with --tokenizer)")
    Path shards;

    /** Whether a shard is asked for; refuses one of the two options without the other. */
    boolean wanted() {
        if ((tokenizer == null) != (shards == null)) throw new BadInputException("--tokenizer and --shards go together");
        return tokenizer != null;
    }

    int vocabSize() throws IOException {
        return Tokenizers.load(Path.of(tokenizer)).vocabSize();
    }
}

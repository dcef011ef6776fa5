package org.knowcoder.io;

import java.nio.file.Path;

/**
 * The token shard: tokenized training sequences in three files that the trainer memory-maps,
 * written by {@link TokenShardWriter} (the data builder) and read by {@link TokenShardReader}:
 * <ul>
 * <li>{@code <name>.tokens}: the token ids of all sequences back to back, little-endian int32;</li>
 * <li>{@code <name>.mask}: one byte per token, 1 where the token counts in the loss;</li>
 * <li>{@code <name>.json}: {@code {"format": "knowcoder-shard-1", "vocab_size": N, "tokens": T,
 *     "sequences": [[start, length], ...], "tokenizer": "path"}}, start and length in tokens.</li>
 * </ul>
 * The header is written last, so a reader that finds it finds the data complete.
 */
final class TokenShards {
    static final String FORMAT = "knowcoder-shard-1";

    private TokenShards() {}

    static Path header(Path dir, String name) {
        return dir.resolve(name + ".json");
    }

    /** The ids file beside {@code header}. */
    static Path tokens(Path header) {
        return header.resolveSibling(name(header) + ".tokens");
    }

    /** The mask file beside {@code header}. */
    static Path mask(Path header) {
        return header.resolveSibling(name(header) + ".mask");
    }

    private static String name(Path header) {
        return header.getFileName().toString().replaceFirst("\\.json$", "");
    }
}

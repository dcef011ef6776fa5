package org.knowcoder.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.knowcoder.ie.trainingdata.FollowingOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code build-data following} as a Spark job: IE samples (JSON lines or Parquet) to schema-following
 * instructions, the same bytes as the single-machine command on the same files, options and seed.
 * Each line's random choices are seeded by the seed and the line's index among the non-blank lines
 * of all inputs (FollowingSampler), so the job numbers the lines the way the command reads them:
 * files in order ({@link InputFilesListing}), each file's splits in order, blank lines not counted;
 * and it writes the instructions sorted by that index, so its part files, concatenated in name
 * order, are the command's {@code following.jsonl}.
 */
public final class SparkFollowing {
    private SparkFollowing() {}

    /**
     * The instructions of the inputs, one row each ({@code index}, {@code seq}, {@code task},
     * {@code prompt}, {@code output}, {@code line}: the JSON line), and a row with {@code error} set
     * per input line that is not a sample. {@code library} is read on each executor at that path.
     */
    public static Dataset<Row> build(SparkSession spark, List<String> inputs, String library, FollowingOptions options) throws IOException {
        return build(spark, inputs, "json", library, options, null);
    }

    /**
     * {@link #build(SparkSession, List, String, FollowingOptions)} from JSON lines or Parquet
     * ({@code inputFormat}, {@link InputLines}); with a {@code tokenizer} (read on each executor at
     * that path) each instruction's shard sequence too ({@code ids}, {@code mask_from}).
     */
    public static Dataset<Row> build(SparkSession spark, List<String> inputs, String inputFormat, String library, FollowingOptions options,
                                     String tokenizer) throws IOException {
        JavaRDD<Row> rows = InputLines.of(spark, inputs, inputFormat).mapPartitions(new PartitionFollowing(library, options, tokenizer));
        return spark.createDataFrame(rows, PartitionFollowing.ROWS);
    }

    /**
     * Writes the instructions in the command's order: {@code json}, as {@code following.jsonl}'s
     * lines (Spark's text writer, since its JSON writer would escape otherwise); {@code parquet},
     * as columns index, task, prompt, output.
     */
    public static void write(Dataset<Row> built, String path, String format, boolean overwrite) {
        BuiltRows.write(built, path, format, overwrite, "index", "task", "prompt", "output");
    }

    /**
     * The token shard {@code <dir>/following.*} of instructions built with a tokenizer, on the
     * driver's file system: build-data's {@code following.*} for the same input, byte for byte (one
     * sequence per instruction, the loss from the output on).
     */
    public static ShardCounts writeShard(Dataset<Row> built, Path dir, int vocabSize, String tokenizerPath) throws IOException {
        return BuiltRows.writeShard(built, dir, "following", vocabSize, tokenizerPath, 0);
    }
}

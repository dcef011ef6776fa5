package org.knowcoder.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.knowcoder.ie.trainingdata.InstanceForm;
import org.knowcoder.ie.trainingdata.UnderstandingLines;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code build-data understanding} as a Spark job: the library's definition code, then instance
 * code from a KELM-style corpus (JSON lines or Parquet, {@link InputLines}), the same bytes as the
 * single-machine command on the same library, files, form, {@code --max-tokens} and seed. The
 * definition code (one library's worth) is packed on the driver; the corpus records are built on
 * the executors, each on its own (a record's code has no randomness), and the texts are written in
 * the command's order: definition code first ({@code index} -1), then by the record's index among
 * the input's records and the text's place among the record's, so the part files, concatenated in
 * name order, are the command's {@code understanding.jsonl}, and {@link #writeShard} writes its
 * {@code understanding.*} shard.
 */
public final class SparkUnderstanding {
    /** The phase's files: {@code understanding.jsonl} and the shard {@code understanding.*}. */
    static final String NAME = "understanding";

    private SparkUnderstanding() {}

    /**
     * The texts, one row each ({@code index}, {@code seq}, {@code task}, {@code text}, {@code line}:
     * the JSON line, {@code ids} with a tokenizer, {@code mask_from}), and a row with {@code error}
     * set per corpus record that cannot be read. No corpus: definition code only. {@code library}
     * and {@code tokenizer} (null: no ids, and definition code is packed by estimated token counts,
     * as build-data without {@code --tokenizer}) are read on the driver and on each executor at
     * those paths.
     */
    public static Dataset<Row> build(SparkSession spark, List<String> corpus, String inputFormat, String library, InstanceForm form,
                                     int maxTokens, long seed, String tokenizer) throws IOException {
        UnderstandingLines driver = new UnderstandingLines(SchemaJson.read(Path.of(library)), form,
                tokenizer == null ? null : Tokenizers.load(Path.of(tokenizer)));
        List<UnderstandingLines.Text> definitions = driver.definitions(maxTokens, seed);
        List<Row> rows = new ArrayList<>(definitions.size());
        for (int i = 0; i < definitions.size(); i++) rows.add(PartitionUnderstanding.row(-1, i, definitions.get(i)));
        Dataset<Row> built = spark.createDataFrame(rows, PartitionUnderstanding.ROWS);
        if (corpus.isEmpty()) return built;
        JavaRDD<Row> instances = InputLines.of(spark, corpus, inputFormat).mapPartitions(new PartitionUnderstanding(library, form, tokenizer));
        return built.unionAll(spark.createDataFrame(instances, PartitionUnderstanding.ROWS));
    }

    /**
     * Writes the texts in the command's order: {@code json}, as {@code understanding.jsonl}'s lines;
     * {@code parquet}, as columns index (-1 for definition code), task, text.
     */
    public static void write(Dataset<Row> built, String path, String format, boolean overwrite) {
        BuiltRows.write(built, path, format, overwrite, "index", "task", "text");
    }

    /**
     * The token shard {@code <dir>/understanding.*} of texts built with a tokenizer, on the driver's
     * file system: build-data's for the same input, byte for byte (every text's ids back to back,
     * cut into sequences of {@code maxTokens}).
     */
    public static ShardCounts writeShard(Dataset<Row> built, Path dir, int maxTokens, int vocabSize, String tokenizerPath) throws IOException {
        return BuiltRows.writeShard(built, dir, NAME, vocabSize, tokenizerPath, maxTokens);
    }
}

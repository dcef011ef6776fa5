package org.knowcoder.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.knowcoder.ie.trainingdata.FollowingOptions;
import org.knowcoder.io.BadInputException;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code build-data following} as a Spark job: IE samples (JSON lines) to schema-following
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
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> files = InputFilesListing.files(inputs, sc.hadoopConfiguration());
        if (files.isEmpty()) throw new BadInputException("no input files in " + String.join(", ", inputs));
        List<JavaRDD<Tuple2<String, String>>> perFile = new ArrayList<>();
        for (String f : files) perFile.add(sc.textFile(f).map(line -> new Tuple2<>(f, line)));
        @SuppressWarnings("unchecked")
        JavaRDD<Tuple2<String, String>> all = sc.union(perFile.toArray(JavaRDD[]::new));
        JavaRDD<Row> rows = all.filter(l -> !l._2().isBlank()).zipWithIndex().mapPartitions(new PartitionFollowing(library, options));
        return spark.createDataFrame(rows, PartitionFollowing.ROWS);
    }

    /**
     * Writes the instructions in the command's order: {@code json}, as {@code following.jsonl}'s
     * lines (Spark's text writer, since its JSON writer would escape otherwise); {@code parquet},
     * as columns index, task, prompt, output.
     */
    public static void write(Dataset<Row> built, String path, String format, boolean overwrite) {
        Dataset<Row> good = built.filter(built.col("error").isNull()).orderBy("index", "seq");
        SaveMode mode = overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
        switch (format) {
            case "json", "jsonl" -> good.select("line").write().mode(mode).text(path);
            case "parquet" -> good.select("index", "task", "prompt", "output").write().mode(mode).parquet(path);
            default -> throw new BadInputException("--output-format " + format + ": expected json or parquet");
        }
    }
}

package org.knowcoder.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.knowcoder.io.BadInputException;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

/**
 * The input records of a data builder as {@code build-data} reads JSON lines: each with its file
 * and its index among the non-blank lines of all inputs, files in order ({@link InputFilesListing}),
 * which seeds the record's random choices and orders the output. JSON lines are read as text, each
 * file's splits in order, blank lines not counted. A Parquet file's rows are its records in file
 * order (Spark's {@code _metadata.row_index}, so however Spark splits the file), each given to the
 * builder as the JSON object of its columns ({@code to_json}, null fields left out as a JSON line
 * leaves them out): the rows of a Parquet file holding a JSON lines file's records are those lines,
 * with the same indices.
 */
final class InputLines {
    private InputLines() {}

    /** ((file, JSON line), index) of every record of {@code inputs} in {@code format} ({@code json} or {@code parquet}). */
    static JavaPairRDD<Tuple2<String, String>, Long> of(SparkSession spark, List<String> inputs, String format) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> files = InputFilesListing.files(inputs, sc.hadoopConfiguration());
        if (files.isEmpty()) throw new BadInputException("no input files in " + String.join(", ", inputs));
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "json", "jsonl" -> jsonLines(sc, files);
            case "parquet" -> parquet(spark, files);
            default -> throw new BadInputException("--input-format " + format + ": expected json or parquet");
        };
    }

    private static JavaPairRDD<Tuple2<String, String>, Long> jsonLines(JavaSparkContext sc, List<String> files) {
        List<JavaRDD<Tuple2<String, String>>> perFile = new ArrayList<>();
        for (String f : files) perFile.add(sc.textFile(f).map(line -> new Tuple2<>(f, line)));
        @SuppressWarnings("unchecked")
        JavaRDD<Tuple2<String, String>> all = sc.union(perFile.toArray(JavaRDD[]::new));
        return all.filter(l -> !l._2().isBlank()).zipWithIndex();
    }

    private static JavaPairRDD<Tuple2<String, String>, Long> parquet(SparkSession spark, List<String> files) {
        Dataset<Row> all = null;
        for (int k = 0; k < files.size(); k++) {
            Dataset<Row> rows = spark.read().parquet(files.get(k));
            // quoted, so that a column name with a dot is that column, not a field of another
            Column[] columns = Arrays.stream(rows.columns()).map(c -> rows.col("`" + c.replace("`", "``") + "`")).toArray(Column[]::new);
            Dataset<Row> lines = rows.select(lit(k).as("file"), col("_metadata.row_index").as("row"), to_json(struct(columns)).as("line"));
            all = all == null ? lines : all.unionAll(lines);
        }
        // a file's first index is the rows of the files before it
        long[] first = new long[files.size() + 1];
        for (Row r : all.groupBy("file").count().collectAsList()) first[r.getInt(0) + 1] = r.getLong(1);
        for (int k = 0; k < files.size(); k++) first[k + 1] += first[k];
        return all.javaRDD().mapToPair(r -> new Tuple2<>(new Tuple2<>(files.get(r.getInt(0)), r.getString(2)), first[r.getInt(0)] + r.getLong(1)));
    }
}

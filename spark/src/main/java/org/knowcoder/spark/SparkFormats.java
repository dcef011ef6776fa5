package org.knowcoder.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.knowcoder.io.BadInputException;

import java.util.Locale;

/**
 * The jobs' input and output through Spark's own sources, so the data can lie wherever Spark reads
 * (a local directory, HDFS, S3): JSON lines, Parquet, and plain text (one input a line).
 */
final class SparkFormats {
    private SparkFormats() {}

    /** Rows of {@code path} in {@code format}; text lines come as the column {@code textColumn}. */
    static Dataset<Row> read(SparkSession spark, String path, String format, String textColumn) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "json", "jsonl" -> spark.read().json(path);
            case "parquet" -> spark.read().parquet(path);
            case "text" -> spark.read().text(path).withColumnRenamed("value", textColumn);
            default -> throw new BadInputException("--input-format " + format + ": expected json, parquet or text");
        };
    }

    /** Writes the rows as a directory of part files; an existing {@code path} is replaced only when {@code overwrite}. */
    static void write(Dataset<Row> rows, String path, String format, boolean overwrite) {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("json") && !f.equals("jsonl") && !f.equals("parquet")) {
            throw new BadInputException("--output-format " + format + ": expected json or parquet");
        }
        rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).format(f.equals("parquet") ? "parquet" : "json").save(path);
    }
}

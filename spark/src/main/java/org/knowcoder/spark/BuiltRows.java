package org.knowcoder.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.knowcoder.ie.trainingdata.TrainingShard;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * The output of the data builders' rows ({@code index}, {@code seq}, {@code line}, {@code ids},
 * {@code mask_from}, {@code error}, and their own columns) in {@code build-data}'s order: by the
 * input record's index, then the text's place among the record's texts; rows with an
 * {@code error} (records build-data skips) left out.
 */
final class BuiltRows {
    private BuiltRows() {}

    /** The rows of a partition's input records, built record by record as Spark pulls them, so a partition of any size streams. */
    static <T> Iterator<Row> streamed(Iterator<T> records, Function<T, List<Row>> rows) {
        return new Iterator<>() {
            private Iterator<Row> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && records.hasNext()) current = rows.apply(records.next()).iterator();
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return current.next();
            }
        };
    }

    /** How many of the built rows are texts and how many are skipped input records. */
    record Counts(long texts, long skipped) {}

    /** Skipped records named on stderr (the first ones), as build-data names its bad lines. */
    private static final int SHOWN_SKIPPED = 10;

    /** Counts {@code built}'s texts and skipped records, and names the first {@value #SHOWN_SKIPPED} skipped ones on stderr as {@code job}'s. */
    static Counts counted(Dataset<Row> built, String job, String record) {
        Dataset<Row> bad = built.filter(built.col("error").isNotNull());
        long texts = built.filter(built.col("error").isNull()).count(), skipped = bad.count();
        for (Row r : bad.orderBy("index").limit(SHOWN_SKIPPED).collectAsList()) {
            System.err.println(job + ": skipped input " + record + " " + r.getLong(0) + ": " + r.getString(r.fieldIndex("error")));
        }
        return new Counts(texts, skipped);
    }

    static Dataset<Row> ordered(Dataset<Row> built) {
        return built.filter(built.col("error").isNull()).orderBy("index", "seq");
    }

    /**
     * {@code json}: the JSON lines as part files (Spark's text writer, since its JSON writer would
     * escape otherwise), which concatenated in name order are build-data's {@code .jsonl};
     * {@code parquet}: the columns {@code parquetColumns}.
     */
    static void write(Dataset<Row> built, String path, String format, boolean overwrite, String... parquetColumns) {
        Dataset<Row> good = ordered(built);
        SaveMode mode = overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
        switch (format) {
            case "json", "jsonl" -> good.select("line").write().mode(mode).text(path);
            case "parquet" -> good.selectExpr(parquetColumns).write().mode(mode).parquet(path);
            default -> throw new BadInputException("--output-format " + format + ": expected json or parquet");
        }
    }

    /**
     * The token shard {@code <dir>/<name>.*} ({@link TrainingShard}, build-data's writer) on the
     * driver's file system: the ids are made on the executors and come to the driver in order, a
     * partition at a time, so the shard is build-data's byte for byte. {@code packLength} 0: one
     * sequence per text.
     */
    static ShardCounts writeShard(Dataset<Row> built, Path dir, String name, int vocabSize, String tokenizerPath, int packLength)
            throws IOException {
        Files.createDirectories(dir);
        try (TrainingShard shard = new TrainingShard(dir, name, vocabSize, tokenizerPath, packLength)) {
            Iterator<Row> rows = ordered(built).select("ids", "mask_from").toLocalIterator();
            while (rows.hasNext()) {
                Row r = rows.next();
                List<Integer> ids = r.getList(0);
                int[] a = new int[ids.size()];
                for (int i = 0; i < a.length; i++) a[i] = ids.get(i);
                shard.add(a, r.getInt(1));
            }
            shard.commit();
            return new ShardCounts(shard.tokens(), shard.sequences());
        }
    }
}

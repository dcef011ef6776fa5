package org.knowcoder.spark;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.knowcoder.ie.trainingdata.InstanceForm;
import org.knowcoder.ie.trainingdata.UnderstandingLines;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Instance code of one partition of corpus records, each with its file and its index among the
 * input's records, through {@link UnderstandingLines}, the code of {@code build-data understanding}.
 * A record build-data would skip gives one row with its reason in {@code error}; each text a row
 * with its record's index and its place among the record's texts ({@code seq}), by which the output
 * is ordered as build-data orders it; with a tokenizer, its ids ({@code ids}; {@code mask_from} is 0,
 * every token of the pretraining data counts).
 */
final class PartitionUnderstanding implements FlatMapFunction<Iterator<Tuple2<Tuple2<String, String>, Long>>, Row> {
    static final StructType ROWS = new StructType()
            .add("index", DataTypes.LongType, false).add("seq", DataTypes.IntegerType, false).add("task", DataTypes.StringType)
            .add("text", DataTypes.StringType).add("line", DataTypes.StringType)
            .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false)).add("mask_from", DataTypes.IntegerType, false)
            .add("error", DataTypes.StringType);

    private final String library;
    private final InstanceForm form;
    private final String tokenizer;

    /** {@code library} and {@code tokenizer} (null: no ids) are read on each executor at those paths. */
    PartitionUnderstanding(String library, InstanceForm form, String tokenizer) {
        this.library = library;
        this.form = form;
        this.tokenizer = tokenizer;
    }

    @Override
    public Iterator<Row> call(Iterator<Tuple2<Tuple2<String, String>, Long>> lines) {
        UnderstandingLines builder = new UnderstandingLines(ExecutorFiles.library(library), form, ExecutorFiles.tokenizer(tokenizer));
        return BuiltRows.streamed(lines, line -> rows(builder, line));
    }

    private static List<Row> rows(UnderstandingLines builder, Tuple2<Tuple2<String, String>, Long> line) {
        long index = line._2();
        try {
            List<UnderstandingLines.Text> built = builder.of(line._1()._2());
            List<Row> out = new ArrayList<>(built.size());
            for (int i = 0; i < built.size(); i++) out.add(row(index, i, built.get(i)));
            return out;
        } catch (IllegalArgumentException e) {
            return List.of(RowFactory.create(index, 0, null, null, null, null, 0, line._1()._1() + ": " + e.getMessage()));
        }
    }

    /** A text's row: definition code is built on the driver, its rows before the corpus's (index -1). */
    static Row row(long index, int seq, UnderstandingLines.Text t) {
        return RowFactory.create(index, seq, t.task(), t.text(), t.json(), t.ids(), 0, null);
    }
}

package org.knowcoder.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.knowcoder.ie.trainingdata.FollowingLines;
import org.knowcoder.ie.trainingdata.FollowingOptions;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Schema-following instructions of one partition of input lines, each line with its file and its
 * index among the input's non-blank lines, through {@link FollowingLines}, the code of
 * {@code build-data following}. A line build-data would skip gives one row with its reason in
 * {@code error}; each instruction a row with its line's index and its place among the line's
 * instructions ({@code seq}), by which the output is ordered as build-data orders it; with a
 * tokenizer, its shard sequence ({@code ids}, {@code mask_from}).
 */
final class PartitionFollowing implements FlatMapFunction<Iterator<Tuple2<Tuple2<String, String>, Long>>, Row> {
    static final StructType ROWS = new StructType()
            .add("index", DataTypes.LongType, false).add("seq", DataTypes.IntegerType, false).add("task", DataTypes.StringType)
            .add("prompt", DataTypes.StringType).add("output", DataTypes.StringType).add("line", DataTypes.StringType)
            .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false)).add("mask_from", DataTypes.IntegerType, false)
            .add("error", DataTypes.StringType);

    private final String library;
    private final FollowingOptions options;
    private final String tokenizer;

    /** {@code library} and {@code tokenizer} (null: no ids) are read on each executor at those paths. */
    PartitionFollowing(String library, FollowingOptions options, String tokenizer) {
        this.library = library;
        this.options = options;
        this.tokenizer = tokenizer;
    }

    @Override
    public Iterator<Row> call(Iterator<Tuple2<Tuple2<String, String>, Long>> lines) {
        FollowingLines builder = new FollowingLines(ExecutorFiles.library(library), options, ExecutorFiles.tokenizer(tokenizer));
        return BuiltRows.streamed(lines, line -> rows(builder, line));
    }

    private static List<Row> rows(FollowingLines builder, Tuple2<Tuple2<String, String>, Long> line) {
        long index = line._2();
        String file = line._1()._1();
        try {
            List<FollowingLines.Line> built = builder.of(line._1()._2(), index);
            List<Row> out = new ArrayList<>(built.size());
            for (int i = 0; i < built.size(); i++) {
                FollowingLines.Line x = built.get(i);
                out.add(RowFactory.create(index, i, x.task().name(), x.prompt(), x.output(), x.json(), x.ids(), x.maskFrom(), null));
            }
            return out;
        } catch (JsonProcessingException e) {
            return List.of(bad(index, file, "not JSON: " + e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            return List.of(bad(index, file, e.getMessage()));
        }
    }

    private static Row bad(long index, String file, String reason) {
        return RowFactory.create(index, 0, null, null, null, null, null, 0, file + ": " + reason);
    }

}

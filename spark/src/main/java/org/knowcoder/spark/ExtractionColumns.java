package org.knowcoder.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.knowcoder.api.Extraction;

import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

import java.util.List;

/**
 * The columns extraction adds to a row, in Spark SQL types, and their values from an
 * {@link Extraction}: the fields and offsets of {@code extract}'s JSON (character offsets into the
 * row's text, end exclusive). A row that could not be extracted has null results and its reason in
 * {@code error}.
 */
final class ExtractionColumns {
    static final List<String> NAMES = List.of("entities", "relations", "events", "truncated", "error");

    /** A span: type is null for triggers and for relation ends no entity covers. */
    static final StructType MENTION = new StructType()
            .add("type", DataTypes.StringType).add("text", DataTypes.StringType)
            .add("start", DataTypes.IntegerType, false).add("end", DataTypes.IntegerType, false);
    static final StructType RELATION = new StructType()
            .add("type", DataTypes.StringType).add("head", MENTION).add("tail", MENTION);
    static final StructType ARGUMENT = new StructType()
            .add("role", DataTypes.StringType).add("text", DataTypes.StringType)
            .add("start", DataTypes.IntegerType, false).add("end", DataTypes.IntegerType, false);
    static final StructType EVENT = new StructType()
            .add("type", DataTypes.StringType).add("trigger", MENTION).add("arguments", DataTypes.createArrayType(ARGUMENT, false));

    private ExtractionColumns() {}

    /** The input's schema with the extraction's columns after its own. */
    static StructType appendedTo(StructType input) {
        return input
                .add("entities", DataTypes.createArrayType(MENTION, false))
                .add("relations", DataTypes.createArrayType(RELATION, false))
                .add("events", DataTypes.createArrayType(EVENT, false))
                .add("truncated", DataTypes.BooleanType)
                .add("error", DataTypes.StringType);
    }

    /** The extraction's column values, in the order of {@link #NAMES}. */
    static Object[] values(Extraction e) {
        return new Object[]{
                seq(e.entities().stream().map(ExtractionColumns::mention).toList()),
                seq(e.relations().stream().map(r -> RowFactory.create(r.type(), mention(r.head()), mention(r.tail()))).toList()),
                seq(e.events().stream().map(v -> RowFactory.create(v.type(), mention(v.trigger()),
                        seq(v.arguments().stream().map(a -> RowFactory.create(a.role(), a.text(), a.start(), a.end())).toList()))).toList()),
                e.truncated(),
                null};
    }

    /** The column values of a row that was not extracted. */
    static Object[] failed(String error) {
        return new Object[]{null, null, null, null, error};
    }

    /** Spark's row encoder takes arrays as Scala sequences. */
    private static Seq<Row> seq(List<Row> rows) {
        return CollectionConverters.asScala(rows).toSeq();
    }

    private static Row mention(Extraction.Mention m) {
        return RowFactory.create(m.type(), m.text(), m.start(), m.end());
    }
}

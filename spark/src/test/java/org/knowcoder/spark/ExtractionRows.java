package org.knowcoder.spark;

import org.apache.spark.sql.Row;
import org.knowcoder.api.Extraction;

import java.util.List;

/** Spark's output rows back into the library's records, so tests compare them with {@code equals}. */
final class ExtractionRows {
    private ExtractionRows() {}

    /** The row's extraction with the given id and text (and no sentence count or code, which the columns do not carry). */
    static Extraction of(Row row, String id, String text) {
        List<Extraction.Mention> entities = row.<Row>getList(row.fieldIndex("entities")).stream().map(ExtractionRows::mention).toList();
        List<Extraction.Relation> relations = row.<Row>getList(row.fieldIndex("relations")).stream()
                .map(r -> new Extraction.Relation(r.getString(0), mention(r.getStruct(1)), mention(r.getStruct(2)))).toList();
        List<Extraction.Event> events = row.<Row>getList(row.fieldIndex("events")).stream()
                .map(e -> new Extraction.Event(e.getString(0), mention(e.getStruct(1)), e.<Row>getList(2).stream()
                        .map(a -> new Extraction.Argument(a.getString(0), a.getString(1), a.getInt(2), a.getInt(3))).toList())).toList();
        return new Extraction(id, text, entities, relations, events, row.getBoolean(row.fieldIndex("truncated")), 0, List.of());
    }

    /** The library's extraction as {@link #of} gives it back. */
    static Extraction comparable(Extraction e) {
        return new Extraction(e.id(), e.text(), e.entities(), e.relations(), e.events(), e.truncated(), 0, List.of());
    }

    private static Extraction.Mention mention(Row m) {
        return new Extraction.Mention(m.getString(0), m.getString(1), m.getInt(2), m.getInt(3));
    }
}

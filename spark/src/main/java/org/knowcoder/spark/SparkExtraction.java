package org.knowcoder.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.knowcoder.api.Options;
import org.knowcoder.io.BadInputException;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * KnowCoder extraction on a Spark {@code Dataset<Row>}: every row's text, extracted as the library
 * and {@code extract} extract it, comes back as the same row with {@code entities},
 * {@code relations}, {@code events}, {@code truncated} and {@code error} columns added:
 * <pre>{@code
 * Dataset<Row> out = SparkExtraction.of(Path.of("/models/knowcoder-7b"), Options.defaults().withThreads(8),
 *         TypesSpec.names("Person", "Organization", "Location")).idColumn("id").extract(spark.read().json("news.jsonl"));
 * }</pre>
 * Each executor loads the model once, from the same path, and decodes the rows of its partitions
 * in batches. Lazy, as Spark is: nothing runs until the result is written or collected.
 */
public final class SparkExtraction {
    private final ModelSpec model;
    private final TypesSpec types;
    private final String textColumn;
    private final String idColumn;

    private SparkExtraction(ModelSpec model, TypesSpec types, String textColumn, String idColumn) {
        this.model = model;
        this.types = types;
        this.textColumn = textColumn;
        this.idColumn = idColumn;
    }

    /** Extraction with this model, options and types, from the column {@code text}, without ids. */
    public static SparkExtraction of(Path model, Options options, TypesSpec types) {
        return new SparkExtraction(ModelSpec.of(model, options), types, "text", null);
    }

    /** The column holding the text (a string column; {@code text} by default). */
    public SparkExtraction textColumn(String name) {
        return new SparkExtraction(model, types, name, idColumn);
    }

    /** The column holding each row's id, named in the library's results; null for none (the default). */
    public SparkExtraction idColumn(String name) {
        return new SparkExtraction(model, types, textColumn, name);
    }

    /** The rows with the extraction's columns added; a missing or mistyped column is refused here, naming it. */
    public Dataset<Row> extract(Dataset<Row> rows) {
        StructType schema = rows.schema();
        int text = index(schema, textColumn, "text");
        if (!schema.fields()[text].dataType().equals(DataTypes.StringType)) {
            throw new BadInputException("the text column " + textColumn + " is " + schema.fields()[text].dataType().simpleString() + ", not a string");
        }
        int id = idColumn == null ? -1 : index(schema, idColumn, "id");
        for (String added : ExtractionColumns.NAMES) {
            if (Arrays.asList(schema.fieldNames()).contains(added)) {
                throw new BadInputException("the input already has a column " + added + ", which extraction adds; drop or rename it");
            }
        }
        return rows.mapPartitions(new PartitionExtractor(model, types, textColumn, text, id), Encoders.row(ExtractionColumns.appendedTo(schema)));
    }

    private static int index(StructType schema, String column, String role) {
        String[] names = schema.fieldNames();
        for (int i = 0; i < names.length; i++) if (names[i].equals(column)) return i;
        throw new BadInputException("no " + role + " column " + column + " in the input; its columns are "
                + String.join(", ", Arrays.stream(schema.fields()).map(StructField::name).toList()));
    }
}

package org.knowcoder.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.knowcoder.api.Extraction;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Options;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.data.Split;
import org.knowcoder.io.BadInputException;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Extraction on {@code local[2,4]} against the library on one machine, with the same tiny random
 * model: row for row the same results; a row without text gets an error, not a failed job; a task
 * that fails mid-partition is retried and every row comes out once.
 */
class SparkExtractionTest extends LocalSpark {
    private static final String[] WORDS = {"Ann", "works", "for", "Acme", "in", "Paris", "Bob", "lives", "Rome", "met", "Tom", "at", "school"};
    private static final TypesSpec TYPES = TypesSpec.names("Person", "Organization", "Location");
    /** Answers long enough to write code for the row-for-row comparison. */
    private static final Options OPTIONS = TinyModel.options(16);
    /**
     * Two new tokens: the whole path (chunks, prompts, batches, parsing, placement) at little cost,
     * for the tests whose point is elsewhere and for the 500 CoNLL03 sentences.
     */
    private static final Options FAST = TinyModel.options(2);
    private static final StructType INPUT = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);

    /** Sentence {@code i}: words of the list in an order that varies, so prompts and answers differ. */
    private static String sentence(int i) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < 4 + i % 5; k++) s.append(k == 0 ? "" : " ").append(WORDS[(i * 7 + k * 3) % WORDS.length]);
        return s.append('.').toString();
    }

    private static Dataset<Row> rows(List<String> texts, int partitions) {
        List<Row> rows = IntStream.range(0, texts.size()).mapToObj(i -> RowFactory.create((long) i + 1, texts.get(i))).toList();
        return spark.createDataFrame(rows, INPUT).repartition(partitions);
    }

    private static SparkExtraction extraction(Options options) {
        return SparkExtraction.of(TinyModel.FILE, options, TYPES).idColumn("id");
    }

    /** The shipped model (the repository's models/knowcoder-mini), whose answers hold real entities. */
    private static final Path SHIPPED = Path.of("..", "models", "knowcoder-mini");
    private static final TypesSpec SHIPPED_TYPES = TypesSpec.names("GeographicLocation", "Human", "MiscellaneousEntity", "Organization");

    /** The Spark rows as the library's records, in id order. */
    private static List<Extraction> byId(List<Row> rows) {
        return rows.stream().sorted(Comparator.comparingLong(r -> r.getLong(0)))
                .map(r -> ExtractionRows.of(r, String.valueOf(r.getLong(0)), r.getString(1))).toList();
    }

    private static void assertSameAsTheLibrary(List<String> texts, Options options) throws IOException {
        assertSameAsTheLibrary(TinyModel.FILE, TYPES, texts, options);
    }

    /** Returns the entities found. */
    private static long assertSameAsTheLibrary(Path model, TypesSpec types, List<String> texts, Options options) throws IOException {
        List<Row> rows = SparkExtraction.of(model, options, types).idColumn("id").extract(rows(texts, 4)).collectAsList();
        List<Extraction> expected = new ArrayList<>();
        try (KnowCoder kc = KnowCoder.load(model, options)) {
            List<Extraction> all = kc.extractAll(texts, types.schema());
            for (Extraction e : all) expected.add(ExtractionRows.comparable(e));
        }
        assertEquals(texts.size(), rows.size());
        assertTrue(rows.stream().allMatch(r -> r.isNullAt(r.fieldIndex("error"))), "no row has an error");
        assertEquals(expected, byId(rows));
        return expected.stream().mapToLong(e -> e.entities().size()).sum();
    }

    @Test
    void sparkGivesTheLibrarysExtractionRowForRow() throws IOException {
        assertSameAsTheLibrary(IntStream.range(0, 16).mapToObj(SparkExtractionTest::sentence).toList(), OPTIONS);
    }

    /** 500 sentences of CoNLL03's test split (when ../shared holds it) through the shipped model. */
    @Test
    void conll03TestSentencesGiveTheLibrarysExtraction() throws IOException {
        List<String> texts = new ArrayList<>();
        for (Split s : DatasetCatalog.read(SharedFiles.datasets(), DatasetCatalog.entry("conll2003"))) {
            if (s.name().equals("test")) for (Sample x : s.samples()) if (texts.size() < 500) texts.add(x.text());
        }
        assertEquals(500, texts.size());
        long entities = assertSameAsTheLibrary(SHIPPED, SHIPPED_TYPES, texts, Options.defaults().withThreads(1).withBatch(16).withMaxNewTokens(96));
        assertTrue(entities > 500, entities + " entities: the comparison should cover real spans");
    }

    @Test
    void aRowWithoutTextGetsAnErrorAndTheOthersTheirResults() {
        List<Row> in = List.of(RowFactory.create(1L, "Ann met Bob."), RowFactory.create(2L, null), RowFactory.create(3L, "Bob lives in Rome."));
        List<Row> out = extraction(FAST).extract(spark.createDataFrame(in, INPUT)).collectAsList();
        Row bad = out.stream().filter(r -> r.getLong(0) == 2).findFirst().orElseThrow();
        assertAll(() -> assertEquals(3, out.size()),
                () -> assertEquals("the text column text is null", bad.getString(bad.fieldIndex("error"))),
                () -> assertTrue(bad.isNullAt(bad.fieldIndex("entities"))),
                () -> assertTrue(out.stream().filter(r -> r.getLong(0) != 2).allMatch(r -> r.isNullAt(r.fieldIndex("error")) && !r.isNullAt(r.fieldIndex("entities")))));
    }

    @Test
    void aMissingOrMistypedColumnIsRefusedByName() {
        Dataset<Row> in = rows(List.of("Ann met Bob."), 1);
        BadInputException missing = assertThrows(BadInputException.class, () -> extraction(FAST).textColumn("body").extract(in));
        BadInputException mistyped = assertThrows(BadInputException.class, () -> extraction(FAST).textColumn("id").extract(in));
        BadInputException taken = assertThrows(BadInputException.class, () -> extraction(FAST).extract(in.withColumn("error", in.col("text"))));
        assertAll(() -> assertEquals("no text column body in the input; its columns are id, text", missing.getMessage()),
                () -> assertEquals("the text column id is bigint, not a string", mistyped.getMessage()),
                () -> assertEquals("the input already has a column error, which extraction adds; drop or rename it", taken.getMessage()));
    }

    /** Fails the first attempt of every partition after two rows: Spark runs the partition again, extraction and all. */
    private static final class FailFirstAttempt implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            boolean fail = TaskContext.get().attemptNumber() == 0;
            return new Iterator<>() {
                int n;

                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    if (fail && ++n > 2) throw new IllegalStateException("injected failure of the first attempt");
                    return rows.next();
                }
            };
        }
    }

    @Test
    void aTaskThatFailsMidPartitionIsRetriedAndEveryRowComesOutOnce() {
        List<String> texts = IntStream.range(0, 8).mapToObj(SparkExtractionTest::sentence).toList();
        Dataset<Row> extracted = extraction(FAST).extract(rows(texts, 2));
        List<Row> out = extracted.mapPartitions(new FailFirstAttempt(), Encoders.row(extracted.schema())).collectAsList();
        List<Extraction> clean = byId(extracted.collectAsList());
        assertAll(() -> assertEquals(texts.size(), out.size()),
                () -> assertEquals(LongStream.rangeClosed(1, texts.size()).boxed().toList(), out.stream().map(r -> r.getLong(0)).sorted().toList()),
                () -> assertEquals(clean, byId(out)),
                () -> assertNull(out.getFirst().getString(out.getFirst().fieldIndex("error"))));
    }
}

package org.knowcoder.spark;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.knowcoder.api.Extraction;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Schema;
import org.knowcoder.io.BadInputException;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Extraction of one partition's rows: each row's text goes to the executor's shared model through
 * {@link KnowCoder#submit}, the path of {@code extract} and the library, with a window of rows in
 * flight so that the batched decoder stays full; rows come out in their input order, as they are
 * pulled, so a partition of any size streams. A row whose text is missing or that the library
 * refuses as bad input gets the reason in its error column; anything else (a failing model) fails
 * the task, which Spark then retries.
 */
final class PartitionExtractor implements MapPartitionsFunction<Row, Row> {
    private final ModelSpec model;
    private final TypesSpec types;
    private final String textColumn;
    private final int textIndex;
    private final int idIndex;

    /** @param idIndex the id column's index, or -1 when the rows have none: a row's id is then its place in the partition */
    PartitionExtractor(ModelSpec model, TypesSpec types, String textColumn, int textIndex, int idIndex) {
        this.model = model;
        this.types = types;
        this.textColumn = textColumn;
        this.textIndex = textIndex;
        this.idIndex = idIndex;
    }

    /** A row on its way: its input and either its extraction to come or why it has none. */
    private record Pending(Row input, CompletableFuture<Extraction> result, String error) {}

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        KnowCoder kc = ExecutorModels.model(model);
        Schema schema = ExecutorModels.schema(types);
        int window = KnowCoder.WINDOW_BATCHES * model.batch();
        return new Iterator<>() {
            private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
            private long submitted;

            @Override
            public boolean hasNext() {
                fill();
                return !inFlight.isEmpty();
            }

            @Override
            public Row next() {
                fill();
                Pending p = inFlight.poll();
                if (p == null) throw new NoSuchElementException();
                return output(p);
            }

            private void fill() {
                while (inFlight.size() < window && rows.hasNext()) inFlight.add(submit(rows.next(), submitted++));
            }

            private Pending submit(Row row, long n) {
                if (row.isNullAt(textIndex)) return new Pending(row, null, "the text column " + textColumn + " is null");
                String id = idIndex < 0 || row.isNullAt(idIndex) ? String.valueOf(n + 1) : String.valueOf(row.get(idIndex));
                try {
                    return new Pending(row, kc.submit(id, row.getString(textIndex), schema, null), null);
                } catch (BadInputException e) {
                    return new Pending(row, null, e.getMessage());
                }
            }
        };
    }

    private static Row output(Pending p) {
        Object[] added;
        if (p.error != null) {
            added = ExtractionColumns.failed(p.error);
        } else {
            try {
                added = ExtractionColumns.values(p.result.join());
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof BadInputException bad)) throw e;
                added = ExtractionColumns.failed(bad.getMessage());
            }
        }
        Object[] values = new Object[p.input.length() + added.length];
        for (int i = 0; i < p.input.length(); i++) values[i] = p.input.get(i);
        System.arraycopy(added, 0, values, p.input.length(), added.length);
        return RowFactory.create(values);
    }
}

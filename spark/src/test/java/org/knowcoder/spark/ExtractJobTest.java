package org.knowcoder.spark;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spark-submit entry point on the test's session: JSON lines in, Parquet out; bad arguments are one line and code 2. */
class ExtractJobTest extends LocalSpark {
    @TempDir
    Path dir;

    private int run(String... args) {
        return JobMain.run(new ExtractJob(), args);
    }

    @Test
    void jsonLinesInParquetOut() throws IOException {
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"doc\": \"a\", \"body\": \"Ann met Bob.\"}", "{\"doc\": \"b\", \"body\": null}",
                "{\"doc\": \"c\", \"body\": \"Bob lives in Rome.\"}"));
        Path out = dir.resolve("out");
        int code = run("--input", in.toString(), "--output", out.toString(), "--output-format", "parquet", "--model", TinyModel.FILE.toString(),
                "--types", "Person,Location", "--text-column", "body", "--id-column", "doc", "--threads", "1", "--batch", "4", "--max-new-tokens", "2");
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList().stream().sorted(Comparator.comparing(r -> r.getString(r.fieldIndex("doc")))).toList();
        assertAll(() -> assertEquals(0, code),
                () -> assertEquals(List.of("a", "b", "c"), rows.stream().map(r -> r.getString(r.fieldIndex("doc"))).toList()),
                () -> assertEquals("the text column body is null", rows.get(1).getString(rows.get(1).fieldIndex("error"))),
                () -> assertTrue(rows.get(0).isNullAt(rows.get(0).fieldIndex("error"))));
    }

    @Test
    void aMissingColumnIsOneLineAndCodeTwo() throws IOException {
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"body\": \"Ann met Bob.\"}"));
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = run("--input", in.toString(), "--output", dir.resolve("out").toString(), "--model", TinyModel.FILE.toString(), "--types", "Person");
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        assertEquals("extract-job: no text column text in the input; its columns are body\n", err.toString(StandardCharsets.UTF_8));
    }
}

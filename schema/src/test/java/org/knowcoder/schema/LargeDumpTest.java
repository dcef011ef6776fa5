package org.knowcoder.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 3: a synthetic dump of 1,000,000 items builds in a JVM limited to 512 MB of heap.
 * Items form a ten-way tree (item i under i/10, and under i/7 with fewer instances); every
 * hundredth item is selected, so chains pass through up to three unselected levels.
 */
class LargeDumpTest {
    static final int ITEMS = 1_000_000;

    @Test
    void aMillionItemsBuildIn512Megabytes(@TempDir Path dir) throws IOException, InterruptedException {
        Path items = dir.resolve("items.jsonl"), properties = dir.resolve("properties.jsonl"), out = dir.resolve("library.json");
        try (BufferedWriter w = Files.newBufferedWriter(items)) {
            for (int i = 1; i <= ITEMS; i++) {
                w.write("{\"id\": \"Q" + i + "\", \"label\": \"type number " + i + "\", \"description\": \"A synthetic type, number " + i
                        + ".\", \"subclass_of\": [" + (i < 10 ? "" : "\"Q" + i / 10 + "\"" + (i / 7 > 0 ? ", \"Q" + i / 7 + "\"" : ""))
                        + "], \"instances\": " + (i % 100 == 0 ? 1000 + i % 13 : i % 7 == 0 ? 1 : 50) + "}\n");
            }
        }
        Files.writeString(properties, "{\"id\": \"P1\", \"kind\": \"relation\", \"label\": \"part of\", \"head\": {\"Q3\": 5}, \"tail\": {\"Q1\": 9}}\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                BuildMain.class.getName(), items.toString(), properties.toString(), "1000", out.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "build took over 5 minutes");
        String stdout = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.exitValue(), "child JVM failed: " + stdout);
        assertEquals(String.valueOf(ITEMS / 100 + 2 + 1), stdout, "every hundredth item, the two property types and the relation");
        SchemaLibrary library = SchemaJson.read(out);
        // Q1200's chain: Q120 (50 instances) beats Q171 (1) -> Q12 -> Q1, the first selected ancestor
        assertEquals(List.of("TypeNumber1"), library.entities().ancestors("TypeNumber1200"));
        assertEquals(List.of("TypeNumber100", "TypeNumber1"), library.entities().ancestors("TypeNumber1000"));
    }
}

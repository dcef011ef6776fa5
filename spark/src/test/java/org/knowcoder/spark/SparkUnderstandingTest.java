package org.knowcoder.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.trainingdata.InstanceForm;
import org.knowcoder.ie.trainingdata.UnderstandingBuilder;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.testing.Llama2cTokenizers;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code build-data understanding} on {@code local[2,4]} against the single-machine builder: the
 * same bytes from the same library, corpus, form, {@code --max-tokens} and seed, with blank and bad
 * lines in the corpus, the input split over two files and several partitions; the same corpus from
 * Parquet; the token shard.
 */
class SparkUnderstandingTest extends LocalSpark {
    @TempDir
    Path dir;

    /** 60 entity classes, 20 relations, 20 events with two roles, described so that definition code packs into several texts. */
    private static SchemaLibrary library() {
        List<Concept> c = new ArrayList<>();
        for (int i = 0; i < 60; i++) c.add(Concept.builder(Kind.ENTITY, "E" + i).description("Entity type " + i + ".").build());
        for (int i = 0; i < 20; i++) {
            c.add(Concept.builder(Kind.RELATION, "R" + i).description("Relation " + i + ".").build());
            c.add(Concept.builder(Kind.EVENT, "V" + i).roles(List.of(new Role("agent"), new Role("place"))).build());
        }
        return SchemaLibrary.of(c);
    }

    /**
     * Corpus sentence {@code i}: two entities (the second's bracketed text cleaned away) and a
     * relation, every 5th a relation with qualifiers (an event); every 23rd line blank, every 41st
     * not readable in one of three ways, every 53rd not JSON.
     */
    private static String sentence(int i) {
        if (i % 23 == 7) return "  ";
        if (i % 53 == 19) return "{not json";
        if (i % 41 == 13) {
            return switch (i % 3) {
                case 0 -> "{\"text\": \"x\", \"entities\": [{\"name\": \"x\", \"types\": [\"NoSuchType\"]}]}";
                case 1 -> "{\"entities\": []}";
                default -> "{\"text\": \"x\", \"entities\": [{\"name\": \"x\", \"types\": [\"E1\"], \"start\": 0, \"end\": 9}]}";
            };
        }
        int a = (i * 31) % 60, b = (i * 17 + 5) % 60;
        return "{\"text\": \"Person " + i + " lives in T\u00f3wn " + i + " (" + a + ").\", \"entities\": ["
                + "{\"name\": \"Person " + i + "\", \"types\": [\"E" + a + "\"], \"start\": 0, \"end\": " + ("Person " + i).length() + "},"
                + "{\"name\": \"T\u00f3wn " + i + " (old)\", \"types\": [\"E" + b + "\"" + (i % 7 == 0 ? ", \"E" + (b + 1) % 60 + "\"" : "") + "]}],"
                + "\"relations\": [{\"type\": \"R" + i % 20 + "\", \"head\": 0, \"tail\": 1}"
                + (i % 5 == 0 ? ", {\"type\": \"V" + i % 20 + "\", \"head\": 0, \"tail\": 1, \"head_role\": \"agent\", \"tail_role\": \"place\","
                + " \"qualifiers\": [{\"role\": \"point in time\", \"entity\": 1}, {\"role\": \"place\", \"entity\": 1}]}" : "")
                + "]}";
    }

    private Path corpus(String name, int from, int to, boolean records) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String s = sentence(i);
            if (!records || !(s.isBlank() || s.startsWith("{not"))) lines.add(s);
        }
        return Files.write(dir.resolve(name), lines);
    }

    private Path library(String name) throws IOException {
        Path lib = dir.resolve(name);
        SchemaJson.write(library(), lib);
        return lib;
    }

    @Test
    void sparkWritesTheBytesOfBuildDataUnderstanding() throws IOException {
        Path lib = library("library.json");
        List<Path> inputs = List.of(corpus("a.jsonl", 0, 300, false), corpus("b.jsonl", 300, 500, false));
        ObjectNode summary = UnderstandingBuilder.build(inputs, SchemaJson.read(lib), InstanceForm.SENTENCE_FIRST, 200, 5, null, null,
                dir.resolve("single"), 1, x -> {});
        byte[] expected = Files.readAllBytes(dir.resolve("single/understanding.jsonl"));

        Dataset<Row> built = SparkUnderstanding.build(spark, inputs.stream().map(Path::toString).toList(), "json", lib.toString(),
                InstanceForm.SENTENCE_FIRST, 200, 5, null).repartition(3).cache();
        Path out = dir.resolve("spark");
        SparkUnderstanding.write(built, out.toString(), "json", false);
        byte[] actual = PartFiles.concatenated(out);
        assertTrue(summary.get("tasks").get("definition").get("samples").asLong() > 3, summary.toString());
        assertTrue(summary.get("bad_lines").asLong() > 10, summary.toString());
        assertTrue(expected.length > 100_000, "the single-machine output has " + expected.length + " bytes");
        assertArrayEquals(expected, actual);
        assertEquals(summary.get("bad_lines").asLong(), built.filter(built.col("error").isNotNull()).count());
        built.unpersist();
    }

    /**
     * UnderstandingJob on the corpus as Parquet (two files, each from its own Parquet directory),
     * with a tokenizer, the Whole form and short sequences: its part files are build-data's
     * {@code understanding.jsonl} of the same records as JSON lines, and its shard is build-data's
     * {@code understanding.*}, byte for byte (definition code and instance code packed back to back).
     */
    @Test
    void parquetCorpusGivesTheBytesOfItsJsonLinesAndTheShardIsBuildDatas() throws IOException {
        Path lib = library("library.json");
        Path tokenizer = Files.write(dir.resolve("tok.bin"), Llama2cTokenizers.stories());
        List<Path> inputs = List.of(corpus("a.jsonl", 0, 120, true), corpus("b.jsonl", 120, 200, true));
        List<String> args = new ArrayList<>();
        for (Path p : inputs) {
            String pq = p.toString().replace(".jsonl", ".parquet");
            spark.read().json(p.toString()).coalesce(1).write().parquet(pq);
            args.add(pq);
        }
        UnderstandingBuilder.build(inputs, SchemaJson.read(lib), InstanceForm.WHOLE, 300, 9, Tokenizers.load(tokenizer), tokenizer.toString(),
                dir.resolve("single"), 1, x -> {});

        Path out = dir.resolve("spark"), shards = dir.resolve("shards");
        args.addAll(List.of("--input-format", "parquet", "--library", lib.toString(), "--out", out.toString(), "--form", "whole",
                "--max-tokens", "300", "--seed", "9", "--tokenizer", tokenizer.toString(), "--shards", shards.toString()));
        assertEquals(0, JobMain.run(new UnderstandingJob(), args.toArray(String[]::new)));
        byte[] expected = Files.readAllBytes(dir.resolve("single/understanding.jsonl"));
        assertTrue(expected.length > 50_000, "the single-machine output has " + expected.length + " bytes");
        assertArrayEquals(expected, PartFiles.concatenated(out));
        List<Path> want = PartFiles.shard(dir.resolve("single"), "understanding"), got = PartFiles.shard(shards, "understanding");
        assertTrue(Files.size(want.getFirst()) > 100_000, "the single-machine shard has " + Files.size(want.getFirst()) + " bytes of ids");
        for (int i = 0; i < 3; i++) assertArrayEquals(Files.readAllBytes(want.get(i)), Files.readAllBytes(got.get(i)), got.get(i).toString());
    }

    @Test
    void aTokenizerWithoutShardsIsOneLineAndCodeTwo() throws IOException {
        Path lib = library("library.json");
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = JobMain.run(new UnderstandingJob(), new String[] {"--library", lib.toString(), "--out", dir.resolve("out").toString(),
                    "--tokenizer", dir.resolve("tok.bin").toString()});
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        assertEquals("understanding-job: --tokenizer and --shards go together\n", err.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(dir.resolve("out")));
    }
}

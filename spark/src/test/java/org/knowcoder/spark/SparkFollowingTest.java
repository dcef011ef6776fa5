package org.knowcoder.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.ie.trainingdata.FollowingBuilder;
import org.knowcoder.ie.trainingdata.FollowingOptions;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.testing.Llama2cTokenizers;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code build-data following} on {@code local[2,4]} against the single-machine builder: the same
 * bytes from the same files, options and seed, with blank and bad lines among the samples and the
 * input split over two files and several partitions; the same samples from Parquet; the token
 * shard.
 */
class SparkFollowingTest extends LocalSpark {
    @TempDir
    Path dir;

    /** 60 entity classes, 10 relations, 10 events with two roles: enough to draw negatives from. */
    private static SchemaLibrary library() {
        List<Concept> c = new ArrayList<>();
        for (int i = 0; i < 60; i++) c.add(Concept.builder(Kind.ENTITY, "E" + i).description("Entity type " + i + ".").build());
        for (int i = 0; i < 10; i++) {
            c.add(Concept.builder(Kind.RELATION, "R" + i).build());
            c.add(Concept.builder(Kind.EVENT, "V" + i).roles(List.of(new Role("agent"), new Role("place"))).build());
        }
        return SchemaLibrary.of(c);
    }

    /** Sample {@code i}: two entities, a relation and an event; every 23rd line blank, every 31st not a sample. */
    private static String sample(int i) {
        if (i % 23 == 7) return "   ";
        if (i % 31 == 11) return i % 2 == 0 ? "{not json" : "{\"id\": \"x\"}";
        String p = "Person " + i, t = "Town " + i, text = p + " lives in " + t + ".";
        int ts = p.length() + 10;
        String head = "{\"type\": \"E" + (i * 31) % 60 + "\", \"text\": \"" + p + "\", \"start\": 0, \"end\": " + p.length() + "}";
        String tail = "{\"type\": \"E" + (i * 17 + 5) % 60 + "\", \"text\": \"" + t + "\", \"start\": " + ts + ", \"end\": " + (ts + t.length()) + "}";
        return "{\"id\": \"s" + i + "\", \"dataset\": \"Synth\", \"text\": \"" + text + "\", \"entities\": [" + head + ", " + tail + "],"
                + " \"relations\": [{\"type\": \"R" + i % 10 + "\", \"head\": " + head + ", \"tail\": " + tail + "}],"
                + " \"events\": [{\"type\": \"V" + i % 10 + "\", \"trigger\": {\"text\": \"lives\", \"start\": " + (p.length() + 1) + ", \"end\": " + (p.length() + 6) + "},"
                + " \"arguments\": [{\"role\": \"agent\", \"text\": \"" + p + "\", \"start\": 0, \"end\": " + p.length() + "}]}]}";
    }

    private Path samples(String name, int from, int to) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) lines.add(sample(i));
        return Files.write(dir.resolve(name), lines);
    }

    @Test
    void sparkWritesTheBytesOfBuildDataFollowing() throws IOException {
        Path lib = dir.resolve("library.json");
        SchemaJson.write(library(), lib);
        List<Path> inputs = List.of(samples("a.jsonl", 0, 300), samples("b.jsonl", 300, 500));
        FollowingOptions options = FollowingOptions.defaults(7);
        FollowingBuilder.build(inputs, SchemaJson.read(lib), options, null, null, dir.resolve("single"), 1, x -> {});
        byte[] expected = Files.readAllBytes(dir.resolve("single/following.jsonl"));

        Path out = dir.resolve("spark");
        SparkFollowing.write(SparkFollowing.build(spark, inputs.stream().map(Path::toString).toList(), lib.toString(), options)
                .repartition(3), out.toString(), "json", false);
        byte[] actual = PartFiles.concatenated(out);
        assertTrue(expected.length > 100_000, "the single-machine output has " + expected.length + " bytes");
        assertEquals(new String(expected, java.nio.charset.StandardCharsets.UTF_8).lines().count(),
                new String(actual, java.nio.charset.StandardCharsets.UTF_8).lines().count());
        assertArrayEquals(expected, actual);
    }

    /**
     * FollowingJob from Parquet holding the same samples as JSON lines (two files, each read from
     * its own Parquet directory), with a tokenizer: its part files are build-data's
     * {@code following.jsonl} of the JSON lines, and its shard is build-data's {@code following.*},
     * byte for byte.
     */
    @Test
    void parquetSamplesGiveTheBytesOfTheirJsonLinesAndTheShardIsBuildDatas() throws IOException {
        Path lib = dir.resolve("library.json");
        SchemaJson.write(library(), lib);
        Path tokenizer = Files.write(dir.resolve("tok.bin"), Llama2cTokenizers.stories());
        List<Path> inputs = new ArrayList<>();
        List<String> parquet = new ArrayList<>();
        for (int f = 0; f < 2; f++) {
            List<String> lines = new ArrayList<>();
            // Parquet holds records: no blank lines and no text that is not JSON; a JSON object that is not a sample stays
            for (int i = 150 * f; i < 150 * f + 150; i++) if (!sample(i).isBlank() && !sample(i).startsWith("{not")) lines.add(sample(i));
            Path jsonl = Files.write(dir.resolve("good" + f + ".jsonl"), lines);
            inputs.add(jsonl);
            String pq = dir.resolve("good" + f + ".parquet").toString();
            spark.read().json(jsonl.toString()).coalesce(1).write().parquet(pq);
            parquet.add(pq);
        }
        FollowingOptions options = FollowingOptions.defaults(11);
        Path single = dir.resolve("single");
        FollowingBuilder.build(inputs, SchemaJson.read(lib), options, Tokenizers.load(tokenizer), tokenizer.toString(), single, 1, x -> {});

        Path out = dir.resolve("spark"), shards = dir.resolve("shards");
        List<String> args = new ArrayList<>(parquet);
        args.addAll(List.of("--input-format", "parquet", "--library", lib.toString(), "--out", out.toString(), "--seed", "11",
                "--tokenizer", tokenizer.toString(), "--shards", shards.toString()));
        assertEquals(0, JobMain.run(new FollowingJob(), args.toArray(String[]::new)));
        byte[] expected = Files.readAllBytes(single.resolve("following.jsonl"));
        assertTrue(expected.length > 50_000, "the single-machine output has " + expected.length + " bytes");
        assertArrayEquals(expected, PartFiles.concatenated(out));
        List<Path> want = PartFiles.shard(single, "following"), got = PartFiles.shard(shards, "following");
        assertTrue(Files.size(want.getFirst()) > 50_000, "the single-machine shard has " + Files.size(want.getFirst()) + " bytes of ids");
        for (int i = 0; i < 3; i++) assertArrayEquals(Files.readAllBytes(want.get(i)), Files.readAllBytes(got.get(i)), got.get(i).toString());
    }
}

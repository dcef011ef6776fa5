package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.schema.SchemaLibrary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 3 and 5 and the shard format: same bytes on 1 or 2 threads, bad lines skipped and listed. */
class BuildRunTest {
    @TempDir
    Path dir;

    /** Synthetic corpus lines (entity, relation, n-ary fact), every 97th line broken in one of three ways. */
    static List<String> corpus(int n, int entityTypes) {
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) lines.add(corpusLine(i, entityTypes));
        return lines;
    }

    static String corpusLine(int i, int entityTypes) {
            if (i % 97 == 50) {
                return switch (i % 3) {
                    case 0 -> "{\"text\": \"x\", \"entities\": [{\"name\": \"x\", \"types\": [\"NoSuchType\"]}]}";
                    case 1 -> "{\"entities\": []}";
                    default -> "{\"text\": \"x\", \"entities\": [{\"name\": \"x\", \"types\": [\"E1\"], \"start\": 0, \"end\": 9}]}";
                };
            }
            int a = (i * 31) % entityTypes, b = (i * 17 + 5) % entityTypes;
            return "{\"text\": \"Person " + i + " lives in Town " + i + " (" + a + ").\", \"entities\": ["
                    + "{\"name\": \"Person " + i + "\", \"types\": [\"E" + a + "\"], \"start\": 0, \"end\": " + ("Person " + i).length() + "},"
                    + "{\"name\": \"Town " + i + " (old)\", \"types\": [\"E" + b + "\"]}],"
                    + "\"relations\": [{\"type\": \"R" + i % 50 + "\", \"head\": 0, \"tail\": 1}"
                    + (i % 5 == 0 ? ", {\"type\": \"V" + i % 50 + "\", \"head\": 0, \"tail\": 1, \"head_role\": \"agent\", \"tail_role\": \"place\","
                    + " \"qualifiers\": [{\"role\": \"point in time\", \"entity\": 1}, {\"role\": \"place\", \"entity\": 1}]}" : "")
                    + "]}";
    }

    /** IE samples from the same synthetic sentences, for the following phase. */
    static List<String> samples(int n, int entityTypes) {
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) lines.add(sampleLine(i, entityTypes));
        return lines;
    }

    static String sampleLine(int i, int entityTypes) {
            String p = "Person " + i, t = "Town " + i, text = p + " lives in " + t + ".";
            int ts = p.length() + 10;
            String head = "{\"type\": \"E" + (i * 31) % entityTypes + "\", \"text\": \"" + p + "\", \"start\": 0, \"end\": " + p.length() + "}";
            String tail = "{\"type\": \"E" + (i * 17 + 5) % entityTypes + "\", \"text\": \"" + t + "\", \"start\": " + ts + ", \"end\": " + (ts + t.length()) + "}";
            return "{\"id\": \"s" + i + "\", \"dataset\": \"Synth\", \"text\": \"" + text + "\", \"entities\": [" + head + ", " + tail + "],"
                    + " \"relations\": [{\"type\": \"R" + i % 50 + "\", \"head\": " + head + ", \"tail\": " + tail + "}],"
                    + " \"events\": [{\"type\": \"V" + i % 50 + "\", \"trigger\": {\"text\": \"lives\", \"start\": " + (p.length() + 1) + ", \"end\": " + (p.length() + 6) + "},"
                    + " \"arguments\": [{\"role\": \"agent\", \"text\": \"" + p + "\", \"start\": 0, \"end\": " + p.length() + "}]}]}";
    }

    private ObjectNode understanding(Path corpus, SchemaLibrary lib, int threads, Path out) throws IOException {
        return UnderstandingBuilder.build(List.of(corpus), lib, InstanceForm.SENTENCE_FIRST, 256, 9, TestLibrary.BYTES, "bytes", out, threads, x -> {});
    }

    private ObjectNode following(Path samples, SchemaLibrary lib, int threads, Path out) throws IOException {
        return FollowingBuilder.build(List.of(samples), lib, FollowingOptions.defaults(9), TestLibrary.BYTES, "bytes", out, threads, x -> {});
    }

    @Test
    void sameBytesOnOneOrTwoThreads() throws IOException {
        SchemaLibrary lib = TestLibrary.synthetic(300);
        Path corpus = Files.write(dir.resolve("corpus.jsonl"), corpus(3000, 300));
        Path samples = Files.write(dir.resolve("samples.jsonl"), samples(3000, 300));
        for (int threads : new int[] {1, 2}) {
            understanding(corpus, lib, threads, dir.resolve("t" + threads));
            following(samples, lib, threads, dir.resolve("t" + threads));
        }
        for (String f : List.of("understanding.jsonl", "understanding.tokens", "understanding.mask", "understanding.json",
                "following.jsonl", "following.tokens", "following.mask", "following.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("t1").resolve(f)), Files.readAllBytes(dir.resolve("t2").resolve(f)), f);
        }
        try (Stream<Path> files = Files.list(dir.resolve("t1"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files left");
        }
    }

    @Test
    void badLinesAreCountedListedAndSkipped() throws IOException {
        SchemaLibrary lib = TestLibrary.synthetic(300);
        Path corpus = Files.write(dir.resolve("corpus.jsonl"), corpus(500, 300));
        ObjectNode summary = understanding(corpus, lib, 2, dir.resolve("out"));
        assertEquals(5, summary.get("bad_lines").asInt(), summary::toString);
        assertEquals(51, summary.get("bad").get(0).get("line").asInt());
        assertTrue(summary.get("bad").get(0).get("reason").asText().contains("out of range"));
        assertEquals(148, summary.get("bad").get(1).get("line").asInt());
        assertEquals("unknown entity type 'NoSuchType'", summary.get("bad").get(1).get("reason").asText());
        assertEquals("missing \"text\"", summary.get("bad").get(2).get("reason").asText());
        assertEquals(495, summary.at("/tasks/relation/samples").asInt());
        assertEquals(99, summary.at("/tasks/event/samples").asInt()); // every fifth line, less bad line 51
    }

    @Test
    void shardsPackPretrainingAndMaskInstructionOutputs() throws IOException {
        SchemaLibrary lib = TestLibrary.synthetic(300);
        Path out = dir.resolve("out");
        ObjectNode u = understanding(Files.write(dir.resolve("c.jsonl"), corpus(200, 300)), lib, 1, out);
        long tokens = Files.size(out.resolve("understanding.tokens")) / 4;
        assertEquals(u.at("/total/tokens").asLong(), tokens);
        assertEquals((tokens + 255) / 256, u.get("shard_sequences").asLong());
        String header = Files.readString(out.resolve("understanding.json"));
        assertTrue(header.startsWith("{\"format\":\"knowcoder-shard-1\",\"vocab_size\":259,\"tokens\":" + tokens + ",\"sequences\":[[0,256],[256,256],"), header);

        ObjectNode f = following(Files.write(dir.resolve("s.jsonl"), samples(20, 300)), lib, 1, out);
        assertEquals(0, f.get("bad_lines").asInt(), f::toString);
        ByteBuffer ids = ByteBuffer.wrap(Files.readAllBytes(out.resolve("following.tokens"))).order(ByteOrder.LITTLE_ENDIAN);
        byte[] mask = Files.readAllBytes(out.resolve("following.mask"));
        String first = Files.readAllLines(out.resolve("following.jsonl")).getFirst();
        String output = new com.fasterxml.jackson.databind.ObjectMapper().readTree(first).get("output").asText();
        int start = 0;
        while (mask[start] == 0) start++;
        int end = start;
        while (end < mask.length && mask[end] == 1) end++;
        StringBuilder masked = new StringBuilder();
        for (int i = start; i < end - 1; i++) masked.append((char) (ids.getInt(4 * i) - 3)); // ASCII output, then EOS
        assertEquals(output, masked.toString());
        assertEquals(2, ids.getInt(4 * (end - 1)));
        assertEquals(1, ids.getInt(0));
    }
}

package org.knowcoder.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowcoder.testing.SharedFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library on stories260K (a story model: its "extractions" are nonsense, the plumbing is what is
 * checked): the README's example runs as written, and concurrent callers get what sequential calls get.
 */
class KnowCoderTest {
    private static final String[] SENTENCES = {"Ann works for Acme in Paris.", "Lily saw a big cat.", "Tom and Sue went to the park.",
            "Bob lives in Rome.", "The dog ran home.", "Max met Kim at school.", "A bird sang in the tree.", "Sam ate a red apple."};

    private static Path dir;

    /** stories260K with its tokenizer beside it as tokenizer.bin, where load finds it. */
    @BeforeAll
    static void copyModel() throws IOException {
        Path bin = SharedFiles.fixture("stories260K/stories260K.bin"), tok = SharedFiles.fixture("stories260K/tok512.bin");
        dir = Files.createTempDirectory("knowcoder-api");
        Files.copy(bin, dir.resolve("stories260K.bin"));
        Files.copy(tok, dir.resolve("tokenizer.bin"));
    }

    @AfterAll
    static void delete() throws IOException {
        if (dir == null) return;
        Files.deleteIfExists(dir.resolve("stories260K.bin"));
        Files.deleteIfExists(dir.resolve("tokenizer.bin"));
        Files.deleteIfExists(dir);
    }

    /** The README's "Use it from Java" example, from its first line to its last: the test checks the README holds these lines. */
    private static void readmeExample(Path model) throws IOException {
        // README example start
        try (KnowCoder kc = KnowCoder.load(model)) {
            Schema types = Schema.of("Person", "Organization", "Location");
            Extraction r = kc.extract("Ann works for Acme in Paris.", types);
            for (Extraction.Mention e : r.entities()) {
                System.out.println(e.type() + " " + e.text() + " [" + e.start() + ", " + e.end() + ")");
            }
            List<Extraction> all = kc.extractAll(List.of("Bob lives in Rome.", "Lily met Tom."), types);
            System.out.println(new ObjectMapper().writeValueAsString(all.getFirst()));
        }
        // README example end
    }

    @Test
    void theReadmeExampleRunsAsWritten() throws IOException {
        List<String> source = Files.readAllLines(SharedFiles.root().resolve("api/src/test/java/org/knowcoder/api/KnowCoderTest.java"));
        List<String> example = source.subList(source.indexOf("        // README example start") + 1, source.indexOf("        // README example end"))
                .stream().map(l -> l.substring(8)).toList();
        String readme = Files.readString(SharedFiles.root().resolve("README.md"));
        assertTrue(readme.contains(String.join("\n", example)), "README.md holds the example as the test runs it:\n" + String.join("\n", example));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            readmeExample(dir.resolve("stories260K.bin"));
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("{\"id\":\"1\",\"text\":\"Bob lives in Rome.\",\"entities\":["), printed);
    }

    /**
     * 8 threads at once on one instance get what one thread gets calling 8 times (the ratio of times
     * is printed), and so does a call with a token stream, which sees the code as it is written.
     */
    @Test
    void concurrentCallersGetTheSequentialResults() throws Exception {
        Options options = Options.defaults().withThreads(Math.min(2, Runtime.getRuntime().availableProcessors())).withMaxNewTokens(24).withBatch(8);
        try (KnowCoder kc = KnowCoder.load(dir.resolve("stories260K.bin"), options)) {
            Schema types = Schema.of("Person", "Location");
            kc.extract("Warm up.", types);
            long t0 = System.nanoTime();
            List<Extraction> sequential = new ArrayList<>();
            for (String s : SENTENCES) sequential.add(kc.extract(s, types));
            long t1 = System.nanoTime();
            List<Extraction> concurrent = new ArrayList<>();
            try (ExecutorService callers = Executors.newFixedThreadPool(SENTENCES.length)) {
                List<Future<Extraction>> futures = new ArrayList<>();
                for (String s : SENTENCES) futures.add(callers.submit(() -> kc.extract(s, types)));
                for (Future<Extraction> f : futures) concurrent.add(f.get());
            }
            long t2 = System.nanoTime();
            System.out.printf("8 sentences: sequential %.2f s, 8 threads %.2f s, ratio %.2f%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    (double) (t1 - t0) / (t2 - t1));
            StringBuilder streamed = new StringBuilder();
            Extraction withStream = kc.extract(SENTENCES[0], types, streamed::append);
            // the code less its closing: an answer the token limit cuts short is closed after its last complete instance
            String code = withStream.raw().getFirst().code();
            String open = code.endsWith("\n]") ? code.substring(0, code.length() - 2) : code.endsWith("[]") ? code.substring(0, code.length() - 1) : code;
            assertAll(() -> assertEquals(sequential, concurrent),
                    () -> assertTrue(sequential.stream().allMatch(e -> e.raw().size() == 1 && !e.raw().getFirst().code().isEmpty())),
                    () -> assertEquals(sequential.getFirst(), withStream),
                    () -> assertTrue(streamed.toString().startsWith(open), "the stream is the code as it was written: " + streamed + " / " + code));
        }
    }
}

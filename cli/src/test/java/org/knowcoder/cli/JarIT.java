package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The built jar as users run it, {@code java -jar knowcoder.jar} with no JVM flags: the
 * {@link Launcher} must relaunch with the Vector API, keep stderr free of JVM warnings and pass the
 * exit code through. An integration test: {@code mvn verify} runs it after packaging the jar.
 */
class JarIT {

    @Test
    void noArgumentsListsTheCommandsAndAQuickStart() throws Exception {
        CliRun run = CliRun.jar();
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertEquals("", run.err()),
                () -> assertTrue(run.out().contains("Commands:") && run.out().contains("  generate "), run::out),
                () -> assertTrue(run.out().contains("Quick start:") && run.out().contains("java -jar knowcoder.jar generate"), run::out));
    }

    @Test
    void greedyStoriesMatchLlama2cWithoutWarnings() throws Exception {
        CliRun run = CliRun.jar("generate", "--model", Fixtures.stories(), "--tokenizer", Fixtures.storiesTokenizer(),
                "--temperature", "0", "--steps", "200");
        String expected = Files.readString(Fixtures.file("stories260K/stories260K_greedy_n200_stdout.txt"));
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertEquals(expected, run.out()),
                () -> assertFalse(run.err().contains("WARNING"), run::err),
                () -> assertTrue(run.err().contains("achieved tok/s: "), run::err));
    }

    /** {@code --version} reports the Vector API module only when the relaunched JVM really loaded it. */
    @Test
    void runsWithTheVectorApi() throws Exception {
        CliRun run = CliRun.jar("--version");
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertEquals("", run.err()),
                () -> assertTrue(run.out().contains("Vector API on (jdk.incubator.vector, "), run::out));
    }

    /**
     * The README's {@code java -jar} where the default java is older than 25 (java 17 first on the
     * PATH): the launcher, Java 8 bytecode, finds JDK 25 and runs the CLI there with the Vector API.
     */
    @Test
    void anOlderJavaRunsTheJarOnJdk25() throws Exception {
        Path old = olderJavaHome();
        assumeTrue(old != null, "no JDK or JRE older than 25 is installed in " + Launcher.installRoots());
        CliRun run = CliRun.jarOn(old, "--version");
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertEquals("", run.err()),
                () -> assertTrue(run.out().contains("Java " + Runtime.version() + ", "), run::out),
                () -> assertTrue(run.out().contains("Vector API on (jdk.incubator.vector, "), run::out));
    }

    /** A Java 8 to 24 installed where the launcher looks for JDKs, or null. */
    private static Path olderJavaHome() throws IOException {
        for (Path root : Launcher.installRoots()) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> homes = Files.list(root)) {
                for (Path home : homes.sorted().toList()) {
                    Path release = home.resolve("release");
                    if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/java"))) continue;
                    String version = Files.readAllLines(release).stream().filter(l -> l.startsWith("JAVA_VERSION=\""))
                            .map(l -> l.substring("JAVA_VERSION=\"".length())).findFirst().orElse("");
                    int feature = Launcher.featureVersion(version);
                    if (feature >= 8 && feature < Launcher.REQUIRED_JAVA) return home;
                }
            }
        }
        return null;
    }

    @Test
    void badInputKeepsItsCodeAndOneLineThroughTheRelaunch(@TempDir Path tmp) throws IOException, InterruptedException {
        Path bad = BadFiles.truncated(Fixtures.stories(), 1000, tmp);
        CliRun.jar("generate", "--model", bad, "--tokenizer", Fixtures.storiesTokenizer()).assertBadInput(bad, "truncated");
    }

    /**
     * A first contact on a fresh machine (an empty cache): extract with no flags runs the embedded
     * KnowCoder-mini and prints one JSON line whose entities slice back out of the text.
     */
    @Test
    void extractWithNoFlagsRunsTheEmbeddedModel(@TempDir Path cache) throws Exception {
        assumeTrue(Files.isRegularFile(Fixtures.root().resolve("models/knowcoder-mini/model.safetensors")), "no model is embedded yet");
        String text = "Ann works for Acme in Paris.";
        long t0 = System.nanoTime();
        CliRun run = CliRun.jar(Map.of("KNOWCODER_CACHE", cache.toString()), "extract", text);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, run.code(), run::err);
        assertEquals(1, run.out().lines().count(), run::out);
        JsonNode line = new ObjectMapper().readTree(run.out());
        assertEquals(text, line.get("text").asText());
        assertFalse(line.get("entities").isEmpty(), run::out);
        for (JsonNode e : line.get("entities")) {
            assertEquals(e.get("text").asText(), text.substring(e.get("start").asInt(), e.get("end").asInt()), run::out);
        }
        System.out.printf("extract with the embedded model, empty cache: %.2f s wall: %s%n", seconds, run.out().strip());
    }

    /**
     * The build's prompt cache beside the jar (the default types' prefix, saved by its one extraction)
     * holds what a run computes, gives the same answers, and a run leaves it as it was. The run
     * computes it from the build's own sentence: the decoder keeps a whole prompt when no other waits
     * behind it and only the shared part when one does (BatchDecoder.reuse), so with two sentences
     * which it keeps depends on whether the second prompt is queued before the first starts.
     */
    @Test
    void theBuildsPromptCacheGivesWhatComputingThePrefixGives(@TempDir Path tmp) throws Exception {
        Path built = Fixtures.root().resolve("cli/target/knowcoder.prompt-cache");
        assumeTrue(Files.isRegularFile(built), "built without the AOT run (-Dknowcoder.aot.skip)");
        byte[] before = Files.readAllBytes(built);
        String text = "Ann works for Acme in Paris."; // the build's extraction (cli/pom.xml)
        Map<String, String> env = Map.of("KNOWCODER_CACHE", tmp.resolve("cache").toString());
        CliRun restored = CliRun.jar(env, "extract", text);
        CliRun computed = CliRun.jar(env, "extract", "--prompt-cache", tmp.resolve("fresh.prompt-cache"), text);
        assertEquals(0, restored.code(), restored::err);
        assertEquals(0, computed.code(), computed::err);
        assertEquals(computed.out(), restored.out());
        assertArrayEquals(before, Files.readAllBytes(built), "the build's cache is left as it was");
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve("fresh.prompt-cache")), "the prefix computed afresh is the build's, bit for bit");
    }
}

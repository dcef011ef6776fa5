package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void badInputKeepsItsCodeAndOneLineThroughTheRelaunch(@TempDir Path tmp) throws IOException, InterruptedException {
        Path bad = BadFiles.truncated(Fixtures.stories(), 1000, tmp);
        CliRun.jar("generate", "--model", bad, "--tokenizer", Fixtures.storiesTokenizer()).assertBadInput(bad, "truncated");
    }
}

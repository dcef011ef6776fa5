package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code eval} killed (SIGKILL) half-way through and started again finishes the run: every sentence once, a readable predictions file. */
class EvalResumeIT {
    @Test
    void killedEvalResumes(@TempDir Path tmp) throws Exception {
        Path jar = Fixtures.root().resolve("cli/target/knowcoder.jar");
        assumeTrue(Files.isRegularFile(jar), "the jar is not built");
        Path out = tmp.resolve("run");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "eval", "--model", Fixtures.stories().toString(), "--tokenizer", Fixtures.file("stories260K/tok512.model").toString(),
                "--datasets", Fixtures.datasets().toString(), "--dataset", "conll2003,conll04",
                "--limit", "12", "--max-new-tokens", "24", "--threads", "1", "--out", out.toString()));
        Path predictions = out.resolve("predictions.jsonl");
        Process first = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("first.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines(predictions) < 4 && first.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        first.destroyForcibly().waitFor(); // SIGKILL: the relaunched JVM notices its launcher is gone and halts
        long before = lines(predictions);
        assertTrue(before >= 4 && before < 36, "killed after " + before + " of 36 sentences");

        Process second = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("second.log").toFile()).start();
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the resumed run finishes");
        List<String> all = Files.readAllLines(predictions);
        String log = Files.readString(tmp.resolve("second.log"));
        assertAll(() -> assertEquals(0, second.exitValue(), log),
                () -> assertEquals(36, all.size(), "12 sentences x 3 jobs, each once"),
                () -> assertEquals(36, new HashSet<>(all.stream().map(l -> l.replaceAll(",\"output\".*", "")).toList()).size()),
                () -> assertTrue(skippedIn(log) >= before - 1 && skippedIn(log) < 36, "the second run skips what the first wrote: " + log),
                () -> assertTrue(log.contains("RE    conll04"), log));
    }

    /** The skipped count of the run's timing line ("eval: N sentences (M skipped) in ..."). */
    private static int skippedIn(String log) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) skipped\\)").matcher(log);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static long lines(Path file) throws java.io.IOException {
        if (!Files.exists(file)) return 0;
        try (var s = Files.lines(file)) {
            return s.count();
        }
    }
}

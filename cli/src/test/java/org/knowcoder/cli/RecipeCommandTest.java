package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to {@code recipe mini} is refused before any work, naming the option (exit 2). The recipe itself: RecipeQuickIT. */
class RecipeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void unknownStage() throws Exception {
        assertRefused(run("--stage", "tokenizer,pretrain"), "--stage pretrain");
    }

    @Test
    void unknownDataset() throws Exception {
        assertRefused(run("--dataset", "conll2003,nosuch"), "unknown dataset nosuch");
    }

    @Test
    void missingDatasetsDirectory() throws Exception {
        assertRefused(CliRun.inProcess("recipe", "mini", "--datasets", tmp.resolve("none"), "--out", tmp.resolve("out"),
                "--schema", schema()), "--datasets");
    }

    @Test
    void aStageNeedsTheOnesBeforeIt() throws Exception {
        assertRefused(run("--stage", "eval"), "--stage eval needs stage tokenizer");
    }

    private CliRun run(String... more) throws Exception {
        List<Object> args = new ArrayList<>(List.of("recipe", "mini", "--quick", "--datasets", Files.createDirectories(tmp.resolve("data")),
                "--out", tmp.resolve("out"), "--schema", schema()));
        args.addAll(List.of(more));
        return CliRun.inProcess(args.toArray());
    }

    private Path schema() throws Exception {
        Path f = tmp.resolve("schema.json");
        if (!Files.exists(f)) Files.writeString(f, "[]");
        return f;
    }

    private static void assertRefused(CliRun run, String message) {
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(message), run.err());
    }
}

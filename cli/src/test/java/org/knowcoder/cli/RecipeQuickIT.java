package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code recipe mini --quick} end to end on three datasets (one zero-shot), then the same recipe
 * stopped after a stage and killed in the middle of fine-tuning: each rerun ends with the weights of
 * the uninterrupted run. Four recipe runs: 10 s on a quiet 2-core machine, 50 s on a busy one, so an
 * IT, out of {@code mvn test} but in {@code mvn verify} (CI) while it stays under a minute; alone:
 * {@code mvn -o verify -pl cli -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RecipeQuickIT
 * -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
class RecipeQuickIT {
    private static final String DATASETS = "conll2003,conll04,crossner_ai";

    @Test
    void quickRecipeRunsEndToEndAndResumesToTheSameWeights(@TempDir Path tmp) throws Exception {
        Path whole = tmp.resolve("whole");
        CliRun first = recipe(whole);
        assertEquals(0, first.code(), first.err());
        JsonNode summary = new ObjectMapper().readTree(first.out());
        assertAll(() -> assertEquals(List.of("tokenizer", "understanding", "following", "soup", "eval", "export"), fields(summary.get("stages"))),
                () -> assertTrue(summary.at("/scores/supervised/NER/datasets").has("conll2003"), first.out()),
                () -> assertTrue(summary.at("/scores/supervised/RE/datasets").has("conll04"), first.out()),
                () -> assertTrue(summary.at("/scores/zero_shot/NER/datasets").has("crossner_ai"), first.out()),
                () -> assertFalse(summary.at("/scores/supervised/NER/datasets").has("crossner_ai"), "zero-shot reported apart"));
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.model", "schema.json")) {
            assertTrue(Files.isRegularFile(whole.resolve("model").resolve(f)), f);
        }
        assertTrue(Files.isRegularFile(whole.resolve("scores.json")));
        CliRun extract = CliRun.inProcess("extract", "--model", whole.resolve("model"), "--tokenizer", whole.resolve("model/tokenizer.model"),
                "--schema", whole.resolve("model/schema.json"), "--datasets", Fixtures.datasets(), "--dataset", "conll04", "--limit", "1",
                "--max-new-tokens", "4", "--threads", "1", "--out", tmp.resolve("extract"));
        assertEquals(0, extract.code(), "extract reads the exported model: " + extract.err());

        Path resumed = tmp.resolve("resumed");
        CliRun part = recipe(resumed, "--stage", "tokenizer,understanding");
        assertEquals(0, part.code(), part.err());
        assertFalse(Files.exists(resumed.resolve("following.done.json")));
        assertEquals(0, recipe(resumed).code());
        assertEquals(weights(whole), weights(resumed), "stopped after a stage and rerun");

        // a kill after the first fine-tuning checkpoint: the later ones and everything after never written
        killIn(resumed, "following");
        deleteLaterCheckpoints(resumed.resolve("following/run"));
        CliRun again = recipe(resumed);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("resuming from"), again.err());
        assertEquals(weights(whole), weights(resumed), "killed in fine-tuning and rerun");

        // a kill after the final checkpoint, in the middle of the export beside it
        killIn(resumed, "following");
        Files.delete(resumed.resolve("following/run/model/config.json"));
        CliRun exported = recipe(resumed);
        assertEquals(0, exported.code(), exported.err());
        assertEquals(weights(whole), weights(resumed), "killed in the fine-tuned model's export and rerun");

        // a kill in the soup's last branch, after its first checkpoint: that branch's model and the mean never written
        killIn(resumed, "soup");
        deleteLaterCheckpoints(resumed.resolve("soup/branch-2"));
        deleteTree(resumed.resolve("soup/branch-2/model"));
        deleteTree(resumed.resolve("soup/model"));
        CliRun souped = recipe(resumed);
        assertEquals(0, souped.code(), souped.err());
        assertTrue(souped.err().contains("resuming from"), souped.err());
        assertEquals(weights(whole), weights(resumed), "killed in the soup and rerun");

        CliRun changed = recipe(resumed, "--seed", "2");
        assertEquals(2, changed.code(), "another seed is refused on resume");
        assertTrue(changed.err().contains("seed"), changed.err());
    }

    /** What a kill in {@code stage} leaves: that stage and the ones after it not done, no exported model. */
    private static void killIn(Path out, String stage) throws IOException {
        List<String> stages = List.of("following", "soup", "eval", "export");
        for (String s : stages.subList(stages.indexOf(stage), stages.size())) Files.delete(out.resolve(s + ".done.json"));
        deleteTree(out.resolve("model"));
    }

    /** Every checkpoint of a training run but its first. */
    private static void deleteLaterCheckpoints(Path run) throws IOException {
        List<Path> later = new ArrayList<>();
        try (var s = Files.list(run.resolve("checkpoints"))) {
            s.sorted().skip(1).forEach(later::add);
        }
        for (Path c : later) deleteTree(c);
    }

    private static CliRun recipe(Path out, String... more) {
        List<Object> args = new ArrayList<>(List.of("recipe", "mini", "--quick", "--datasets", Fixtures.datasets(), "--out", out,
                "--dataset", DATASETS, "--schema", Fixtures.root().resolve("models/knowcoder-mini/schema.json"), "--threads", "1"));
        args.addAll(List.of(more));
        return CliRun.inProcess(args.toArray());
    }

    private static List<String> fields(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String weights(Path out) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out.resolve("model/model.safetensors"))));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

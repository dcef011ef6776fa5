package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23 item 11: resuming {@code extract --out} with an option that changes the predictions (here
 * --max-new-tokens) is refused unless --allow-changed-options says so; options that only select
 * sentences (--limit) may change. On a random model of stories260K's shape and datasets written
 * here, so it runs without ../shared.
 */
class ExtractResumeOptionsTest {
    @TempDir
    Path tmp;

    private CliRun extract(Object... more) throws IOException {
        Path datasets = tmp.resolve("datasets");
        if (Files.notExists(datasets)) EvalCommandTest.datasets(datasets);
        List<Object> args = new ArrayList<>(List.of("extract", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--datasets", datasets, "--dataset", "conll2003", "--threads", "1", "--out", tmp.resolve("run")));
        args.addAll(List.of(more));
        return CliRun.inProcess(args.toArray());
    }

    @Test
    void aResumeWithOtherMaxNewTokensIsRefusedUnlessAllowed() throws IOException {
        CliRun first = extract("--limit", "1", "--max-new-tokens", "4");
        assertEquals(0, first.code(), first.err());
        Path predictions = tmp.resolve("run/predictions.jsonl"), options = tmp.resolve("run/options.json");
        String before = Files.readString(predictions), recorded = Files.readString(options);

        extract("--limit", "2", "--max-new-tokens", "8").assertBadInput(options, "--max-new-tokens is 8", "were made with 4",
                "--allow-changed-options");
        assertAll(() -> assertEquals(before, Files.readString(predictions), "a refused resume leaves the predictions alone"),
                () -> assertEquals(recorded, Files.readString(options)));

        CliRun more = extract("--limit", "2", "--max-new-tokens", "4");
        assertAll(() -> assertEquals(0, more.code(), more::err), () -> assertTrue(more.out().startsWith("1 sentences (1 skipped)"), more::out));
        CliRun allowed = extract("--max-new-tokens", "8", "--allow-changed-options");
        assertAll(() -> assertEquals(0, allowed.code(), allowed::err),
                () -> assertTrue(Files.readString(options).contains("\"max_new_tokens\" : 8"), () -> "the new value is the run's from there on"));
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code eval} and {@code extract} end to end: the whole path runs, resumes, and refuses bad input in
 * one line. On a random model of stories260K's shape and small datasets written here, so they run
 * without ../shared: what they check is our own pipeline, not a model's answers.
 */
class EvalCommandTest {
    @TempDir
    Path tmp;

    /**
     * A datasets directory in {@code dir}: conll2003's test split (four sentences, each of its four
     * labels, then a long one, which NER asks in clauses) and conll04's (three sentences with entities and a relation), in their own formats.
     */
    static Path datasets(Path dir) throws IOException {
        Path conll = Files.createDirectories(dir.resolve("conll2003"));
        Files.writeString(conll.resolve("test.txt"), """
                EU\tB-organisation
                rejects\tO
                German\tB-misc
                beef\tO

                Ann\tB-person
                sleeps\tO

                Paris\tB-location
                wakes\tO

                Peter\tB-person
                Blackburn\tI-person

                """ + String.join("\tO\n", ("Sampras beat Ivanisevic 6-3 6-4 in the first round at the open in Paris on Monday , "
                + "Becker beat Muster 7-5 in the second round , and Chang won the third").split(" ")) + "\tO\n");
        Path conll04 = Files.createDirectories(dir.resolve("conll04"));
        Files.writeString(conll04.resolve("conll04_test.json"), """
                [{"tokens": ["Ann", "lives", "in", "Paris", "."], "entities": [{"type": "Peop", "start": 0, "end": 1},
                  {"type": "Loc", "start": 3, "end": 4}], "relations": [{"type": "Live_In", "head": 0, "tail": 1}]},
                 {"tokens": ["Bob", "works", "for", "Acme", "."], "entities": [{"type": "Peop", "start": 0, "end": 1},
                  {"type": "Org", "start": 3, "end": 4}], "relations": [{"type": "Work_For", "head": 0, "tail": 1}]},
                 {"tokens": ["Rain", "fell", "."], "entities": [], "relations": []}]
                """);
        return dir;
    }

    private Object[] args(Path out, String datasets, Object... more) throws IOException {
        Path dir = tmp.resolve("datasets");
        if (Files.notExists(dir)) datasets(dir);
        List<Object> a = new java.util.ArrayList<>(List.of("--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--datasets", dir, "--dataset", datasets,
                "--max-new-tokens", "6", "--threads", "1", "--out", out));
        a.addAll(List.of(more));
        return a.toArray();
    }

    private static Object[] command(String name, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = name;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    @Test
    void evalRunsTwoDatasetsAndWritesATable() throws IOException {
        Path out = tmp.resolve("run");
        CliRun run = CliRun.inProcess(command("eval", args(out, "conll2003,conll04", "--limit", "3")));
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertTrue(run.out().contains("NER   conll2003") && run.out().contains("RE    conll04"), run::out),
                () -> assertEquals(9, lines.size(), "3 sentences x (conll2003 NER, conll04 NER, conll04 RE)"),
                () -> assertTrue(Files.readString(out.resolve("scores.json")).contains("\"macro\"")));
    }

    @Test
    void aKilledRunResumesWhereItStopped() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, CliRun.inProcess(command("extract", args(out, "conll2003", "--limit", "2"))).code());
        Files.writeString(out.resolve("predictions.jsonl"), "{\"dataset\":\"conll2003\",\"ta", java.nio.file.StandardOpenOption.APPEND);
        CliRun resumed = CliRun.inProcess(command("extract", args(out, "conll2003", "--limit", "4")));
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertAll(() -> assertEquals(0, resumed.code(), resumed::err),
                () -> assertTrue(resumed.out().startsWith("2 sentences (2 skipped) in "), resumed::out),
                () -> assertEquals(4, lines.size()),
                () -> assertEquals(4, new HashSet<>(lines.stream().map(l -> l.replaceAll(",\"output\".*", "")).toList()).size()));
    }

    /** A long sentence is asked in clauses and written as one prediction; the run records that, and a resume without is refused (one without --consistency is not). */
    @Test
    void aLongSentenceIsOnePredictionOfItsClauses() throws IOException {
        Path out = tmp.resolve("c");
        CliRun run = CliRun.inProcess(command("eval", args(out, "conll2003")));
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertAll(() -> assertEquals(0, run.code(), run::err), () -> assertEquals(5, lines.size()),
                () -> assertTrue(lines.stream().anyMatch(l -> l.contains("\"conll2003-test-4\"")), lines::toString),
                () -> assertTrue(Files.readString(out.resolve("options.json")).contains("\"clauses\" : true")));
        CliRun.inProcess(command("eval", args(out, "conll2003", "--no-clauses"))).assertBadInput("--clauses is false", "were made with true");
        // --consistency only shapes the scores, made afresh from the predictions: a resume may change it, and the file says which
        CliRun rescored = CliRun.inProcess(command("eval", args(out, "conll2003", "--no-consistency")));
        assertAll(() -> assertEquals(0, rescored.code(), rescored::err),
                () -> assertTrue(Files.readString(out.resolve("options.json")).contains("\"consistency\" : false")));
    }

    /** One convention for both commands: the result on stdout, as text or with --json as JSON; timings on stderr as text. */
    @Test
    void resultsGoToStdoutAsTextOrJson() throws IOException {
        CliRun text = CliRun.inProcess(command("extract", args(tmp.resolve("t"), "conll2003", "--limit", "1")));
        CliRun json = CliRun.inProcess(command("extract", args(tmp.resolve("j"), "conll2003", "--limit", "1", "--json")));
        CliRun eval = CliRun.inProcess(command("eval", args(tmp.resolve("e"), "conll2003", "--limit", "1", "--json")));
        assertAll(() -> assertEquals(0, text.code(), text::err),
                () -> assertTrue(text.out().startsWith("1 sentences (0 skipped) in ") && !text.out().contains("{"), text::out),
                () -> assertEquals(1, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).get("sentences").asInt()),
                () -> assertEquals(0, eval.code(), eval::err),
                () -> assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(eval.out()).has("NER"), eval::out),
                () -> assertTrue(!eval.err().contains("{") && eval.err().contains("eval: 1 sentences (0 skipped)"), eval::err));
    }

    @Test
    void badInputGetsOneLine() throws IOException {
        Path data = tmp.resolve("datasets/conll2003");
        Files.createDirectories(data);
        Files.writeString(data.resolve("test.txt"), "");
        Path out = tmp.resolve("b");
        // a model and tokenizer of stories260K's shapes written here: the errors come before any sentence runs
        CliRun.inProcess("eval", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--datasets", tmp.resolve("datasets"), "--dataset", "conll2099", "--out", tmp.resolve("a")).assertBadInput("unknown dataset conll2099");
        CliRun.inProcess("extract", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--datasets", tmp.resolve("datasets"), "--dataset", "conll2003", "--out", out).assertBadInput("conll2003 test has no sentences");
        Files.writeString(data.resolve("test.txt"), "EU\tB-organisation\nrejects\n");
        CliRun.inProcess("extract", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--datasets", tmp.resolve("datasets"), "--dataset", "conll2003", "--out", out).assertBadInput("test.txt:2");
    }

    /** Issue 23 item 4: the classes a --schema library lacks are defined bare, with a warning that names them (it was exit 2). */
    @Test
    void aLibraryLackingTheDatasetsClassesWarns() throws IOException {
        Path schema = Files.writeString(tmp.resolve("schema.json"),
                "{\"format\": \"knowcoder-schema\", \"version\": 1, \"concepts\": [{\"kind\": \"entity\", \"name\": \"Human\"}]}\n");
        CliRun run = CliRun.inProcess(command("extract", args(tmp.resolve("c"), "conll2003", "--schema", schema, "--limit", "1")));
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertTrue(run.err().contains("extract: warning: the schema library has no entity class GeographicLocation (conll2003 label"
                        + " location), MiscellaneousEntity (conll2003 label misc), Organization (conll2003 label organisation); the NER"
                        + " prompts define them bare"), run::err));
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 23 item 4: the README's schema and eval examples hold for the only schema a newcomer has,
 * the one imported from {@code ../shared/knowcoder-reference}: the import needs --stub-missing and
 * says so, render takes the README's types, the errors it quotes are the real ones, and eval with
 * --schema runs the README's datasets (on stories260K, standing in for knowcoder-7b). The types,
 * datasets and quoted errors are read from README.md. Skipped without ../shared.
 */
class ReadmeExamplesTest {
    private static final String[] REFERENCE_FILES = {"entity_class_defs.json", "relation_class_defs.json", "ed_class_defs.json", "eae_class_defs.json"};

    @TempDir
    Path tmp;

    @Test
    void schemaAndEvalExamplesRunOnTheReferenceLibrary() throws IOException {
        Path reference = Fixtures.root().resolveSibling("shared").resolve("knowcoder-reference");
        assumeTrue(Files.isDirectory(reference), reference + " is absent");
        String readme = Files.readString(Fixtures.root().resolve("README.md")).replaceAll("\\s+", " ");
        Object[] files = Stream.of(REFERENCE_FILES).map(reference::resolve).toArray();
        assertTrue(readme.contains("$R/ed_class_defs.json $R/eae_class_defs.json --stub-missing --out schema.json"), "the README's import");

        Path lib = tmp.resolve("schema.json");
        CliRun.inProcess(concat(concat(new Object[] {"schema", "import"}, files), "--out", lib))
                .assertBadInput(quoted(readme, "errors name the concept and rule"), "--stub-missing");
        CliRun imported = CliRun.inProcess(concat(concat(new Object[] {"schema", "import"}, files), "--stub-missing", "--out", lib));
        CliRun validate = CliRun.inProcess("schema", "validate", "--library", lib);
        CliRun stats = CliRun.inProcess("schema", "stats", "--library", lib);
        String types = group(readme, "schema render --library schema.json --types (\\S+)");
        CliRun render = CliRun.inProcess("schema", "render", "--library", lib, "--types", types);
        assertAll(() -> assertEquals(0, imported.code(), imported::err),
                () -> assertEquals(0, validate.code(), validate::err),
                () -> assertEquals(0, stats.code(), stats::err),
                () -> assertEquals(0, render.code(), render::err),
                () -> assertTrue(Stream.of(types.split(",")).allMatch(t -> render.out().contains("class " + t + "(")), render::out));
        CliRun.inProcess("schema", "render", "--library", lib, "--types", "Person,Location")
                .assertBadInput(quoted(readme, "a name of another kind is reported as such"));

        String datasets = group(readme, "--dataset (\\S+) --schema schema.json");
        CliRun eval = CliRun.inProcess("eval", "--model", Fixtures.stories(), "--tokenizer", Fixtures.file("stories260K/tok512.model"),
                "--datasets", Fixtures.datasets(), "--dataset", datasets, "--schema", lib, "--limit", 1, "--max-new-tokens", 4,
                "--threads", 1, "--out", tmp.resolve("eval1"));
        assertAll(() -> assertEquals(0, eval.code(), eval::err),
                () -> assertTrue(eval.err().contains("warning: the schema library has no entity class MiscellaneousEntity (conll2003 label misc)"),
                        eval::err),
                () -> assertTrue(eval.out().contains("NER   conll2003"), eval::out));
    }

    /** The text in backquotes in parentheses right after {@code lead}. */
    private static String quoted(String readme, String lead) {
        return group(readme, Pattern.quote(lead) + " \\(`([^`]+)`\\)");
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "README.md has no " + regex);
        return m.group(1);
    }

    private static Object[] concat(Object[] first, Object... more) {
        return Stream.concat(Stream.of(first), Stream.of(more)).toArray();
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.PythonRenderer;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.SchemaStats;
import org.knowcoder.schema.Style;
import org.knowcoder.schema.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code schema}: the code-style schema library; the work is in the subcommands. */
@Command(name = "schema", description = "Build, import, check and render the code-style schema library.",
        subcommands = {SchemaCommand.Render.class, SchemaCommand.Stats.class, SchemaCommand.Validate.class,
                SchemaImportCommand.class, SchemaBuildCommand.class})
final class SchemaCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** A result as one line of JSON on stdout. */
    static void printJson(Object value) {
        try {
            System.out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command that reads a library and prints one JSON result about it. */
    abstract static class LibraryReport implements Callable<Integer> {
        @Option(names = "--library", required = true, paramLabel = "PATH", description = "library file or directory")
        Path library;

        abstract Object report(SchemaLibrary library);

        @Override
        public Integer call() throws IOException {
            printJson(report(SchemaJson.read(library)));
            return 0;
        }
    }

    @Command(name = "render", description = "Print classes as Python in KnowCoder's style, after the task's base classes.")
    static final class Render implements Callable<Integer> {
        @Option(names = "--library", required = true, paramLabel = "PATH", description = "library file or directory")
        Path library;

        @Option(names = "--types", required = true, split = ",", paramLabel = "A,B,C", description = "class names, in prompt order")
        List<String> types;

        @Option(names = "--style", defaultValue = "following", description = "following (docstrings) or eval (bare, as *_class_defs.json); default ${DEFAULT-VALUE}")
        String style;

        @Option(names = "--task", description = "ner, re, ed or eae (default: from the kind of the classes; events: eae)")
        String task;

        @Override
        public Integer call() throws IOException {
            Style s = Style.parse(style);
            Task t = task == null ? null : Task.parse(task);
            SchemaLibrary lib = SchemaJson.read(library);
            Kind kind = t == null ? lib.kindOf(types) : t.kind();
            System.out.println(PythonRenderer.render(lib.select(kind, types), t == null ? Task.of(kind) : t, s));
            return 0;
        }
    }

    @Command(name = "stats", description = "Print per-kind counts (types, with and without descriptions, ...) as JSON.")
    static final class Stats extends LibraryReport {
        @Override
        Object report(SchemaLibrary library) {
            return SchemaStats.of(library);
        }
    }

    @Command(name = "validate", description = "Check a library: known parents, no cycles, unique names, known types; exit 2 names each problem.")
    static final class Validate extends LibraryReport {
        @Override
        Object report(SchemaLibrary library) {
            return Map.of("valid", true, "concepts", library.size());
        }
    }
}

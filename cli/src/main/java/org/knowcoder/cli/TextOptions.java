package org.knowcoder.cli;

import org.knowcoder.api.Schema;
import org.knowcoder.io.BadInputException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@code extract} takes for the user's own text: the text, the types, and how results are written. */
final class TextOptions {
    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "text to extract from, one input per argument")
    List<String> texts = new ArrayList<>();

    @Option(names = "--input", paramLabel = "FILE", description = "inputs from a file, or - for standard input")
    String input;

    @Option(names = "--input-format", paramLabel = "FORMAT", description = "lines (one input per line), jsonl ({\"id\", \"text\"} per line) or text"
            + " (the whole file one document); default: jsonl for .jsonl, text for .txt and .md, else lines")
    String inputFormat;

    @Option(names = "--types", split = ",", paramLabel = "A,B", description = "types to extract: entity names, or (with --schema) classes of any kind")
    List<String> types;

    @Option(names = "--types-file", paramLabel = "FILE", description = "types with descriptions, as JSON: [{\"name\", \"kind\", \"description\", \"examples\", ...}]")
    Path typesFile;

    @Option(names = "--chunk-tokens", defaultValue = "128", description = "tokens of text one prompt carries at most: each sentence has a prompt of its own, a longer one is cut (default ${DEFAULT-VALUE})")
    int chunkTokens;

    @Option(names = "--adapter", paramLabel = "DIR", description = "a PEFT LoRA adapter (finetune's RUN/adapter), applied without merging (cpu)")
    Path adapter;

    @Option(names = "--prompt-cache", paramLabel = "FILE", description = "keep the prompts' shared start (the types' class definitions) in FILE"
            + " between runs: a later run with the same model and types restores it instead of computing it (saved when it changed;"
            + " a file of another model, build or machine is recomputed; cpu, not with --adapter)")
    Path promptCache;

    @Option(names = "--raw", description = "add the generated code to each result (\"raw\")")
    boolean raw;

    @Option(names = "--pretty", description = "print a table for people instead of JSON lines")
    boolean pretty;

    /** Whether extract runs on the user's text rather than the benchmark datasets. */
    boolean given() {
        return !texts.isEmpty() || input != null;
    }

    /** The types, from the one way they were given, running the tasks asked for. */
    /** The types given, or with the embedded model ({@code embedded}) and none given, its default types. */
    Schema schema(Path library, List<String> tasks, boolean embedded) throws IOException {
        if (typesFile != null && (library != null || types != null)) {
            throw new BadInputException("give types one way: --types-file alone, --types, or --schema with --types");
        }
        Schema schema;
        if (typesFile != null) schema = Schema.fromTypesFile(typesFile);
        else if (library != null) schema = Schema.from(library, types == null ? new String[0] : types.toArray(String[]::new));
        else if (types != null) schema = Schema.of(types.toArray(String[]::new));
        else if (embedded) schema = Schema.embeddedDefaults();
        else throw new BadInputException("extract needs types: --types Person,Organization, --types-file types.json, or --schema LIBRARY --types A,B");
        return tasks.isEmpty() ? schema : schema.tasks(tasks.toArray(String[]::new));
    }
}

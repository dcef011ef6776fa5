package org.knowcoder.cli;

import org.knowcoder.api.KnowCoder;
import org.knowcoder.ie.eval.NameConsistency;
import org.knowcoder.ie.extract.ExtractionSettings;
import org.knowcoder.ie.extract.LoadedExtractor;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** What {@code extract} and {@code eval} share: the model, the datasets and how prompts are built. */
final class ExtractionOptions {
    @Option(names = "--model", paramLabel = "PATH", description = "llama2.c .bin, Hugging Face directory, .safetensors with config.json, PyTorch or GGUF checkpoint (default: KnowCoder-mini, embedded in the jar)")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "PATH", description = "SentencePiece .model or llama2.c tokenizer.bin (default: tokenizer.model or tokenizer.bin in the model directory, or beside the model file)")
    Path tokenizer;

    @Option(names = "--datasets", paramLabel = "DIR", description = "benchmark mode: the benchmark directory (as ../shared/datasets)")
    Path datasetsDir;

    @Option(names = "--dataset", split = ",", paramLabel = "NAMES", description = "benchmark mode: datasets by name, comma-separated (see `datasets`)")
    List<String> datasets;

    @Option(names = "--task", split = ",", paramLabel = "TASKS", description = "ner, re, ed, eae, all (default: every task the dataset's labels, or the types, cover)")
    List<String> tasks = new ArrayList<>();

    @Option(names = "--split", defaultValue = "test", description = "split to run (default ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--limit", defaultValue = "0", description = "first N sentences per dataset, or N inputs, 0 for all (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--benchmark-sample", paramLabel = "SEED", arity = "0..1", fallbackValue = "42",
            description = "NER and RE on KnowCoder's benchmark subset (ceil(x/14) or ceil(x/4) samples per type, seed 42 unless given)")
    Long benchmarkSeed;

    @Option(names = "--shots", defaultValue = "0", description = "few-shot examples from the train split (default ${DEFAULT-VALUE})")
    int shots;

    @Option(names = "--schema", paramLabel = "LIBRARY", description = "schema library JSON (schema import); default: bare classes named by the label maps."
            + " With your text: a library (with --types) or Python class definitions (Entities.py, *_class_defs.json)")
    Path schema;

    @Option(names = "--refined", description = "name the dataset in the instruction, as KnowCoder's refined models expect")
    boolean refined;

    @Option(names = "--max-new-tokens", defaultValue = "640", description = "generated tokens per sentence at most (default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--no-prefix-reuse", description = "prefill every prompt whole (for comparison)")
    boolean noPrefixReuse;

    @Option(names = "--constrained", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Keep every answer "
            + "to a well-formed results block of the prompt's classes whose spans are in the sentence, leaving out the items it had to "
            + "force (default ${DEFAULT-VALUE}; --no-constrained: the model's own tokens, for comparison)")
    boolean constrained;

    @Option(names = "--clauses", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Ask for the entities "
            + "of a long sentence clause by clause (default ${DEFAULT-VALUE}; --no-clauses: each sentence whole, for comparison)")
    boolean clauses;

    @Option(names = "--consistency", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Check each "
            + "sentence's entities against those of the " + NameConsistency.WINDOW + " sentences on each side of it (a name keeps one type; a name found nearby, "
            + "or a person's family name, is found here too) (default ${DEFAULT-VALUE}; --no-consistency: each sentence alone, for comparison)")
    boolean consistency;

    @Option(names = "--batch", defaultValue = "16", description = "sentences decoded together, as the heap allows (default ${DEFAULT-VALUE}; 1: one at a time)")
    int batch;

    @Option(names = "--out", paramLabel = "PATH", description = "benchmark mode: run directory (predictions.jsonl, resumable; scores.json). With your text: a results file (JSON lines, resumable; default: stdout)")
    Path out;

    @Option(names = "--allow-changed-options", description = "Resume even though an option that shapes the predictions (such as "
            + "--max-new-tokens, --model, --schema, --shots) differs from the one OUT's predictions were made with (OUT/options.json).")
    boolean allowChangedOptions;

    @Option(names = "--json", description = "print the result as JSON (extract: the run's counts and timings; eval: the scores)")
    boolean json;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DeviceOptions device;

    /** The options as the extraction pipeline takes them; checks each value. */
    ExtractionSettings settings() throws IOException {
        device.check();
        Path model = model();
        if (datasetsDir == null || datasets == null) throw new BadInputException("the benchmark mode needs --datasets DIR and --dataset NAMES");
        if (out == null) throw new BadInputException("the benchmark mode needs --out DIR (predictions.jsonl and scores.json go there)");
        Set<Task> taskSet = EnumSet.noneOf(Task.class);
        for (String t : tasks) if (!t.equalsIgnoreCase("all")) taskSet.add(Task.parse(t));
        return new ExtractionSettings(model, LoadedExtractor.tokenizer(model, tokenizer), device.device, device.quantize(), threads.count(), datasetsDir, datasets,
                split, taskSet, limit, shots, schema(), refined, benchmarkSeed, maxNewTokens, !noPrefixReuse, constrained, clauses, consistency, batch, out,
                allowChangedOptions);
    }

    /** --model, or KnowCoder-mini, the model the jar embeds. */
    Path model() throws IOException {
        return model != null ? model : KnowCoder.embeddedModel();
    }

    /** --schema, or with the embedded model (no --model) its schema library. */
    Path schema() throws IOException {
        return schema != null || model != null ? schema : KnowCoder.embeddedModel().resolve("schema.json");
    }
}

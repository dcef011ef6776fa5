package org.knowcoder.cli;

import org.knowcoder.ie.extract.ExtractionJob;
import org.knowcoder.ie.extract.JobPlanner;
import org.knowcoder.model.ModelLoader;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** What {@code extract} and {@code eval} share: the model, the datasets and how prompts are built. */
final class ExtractionOptions {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "llama2.c .bin, Hugging Face directory, or .safetensors with config.json")
    Path model;

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH", description = "SentencePiece .model or llama2.c tokenizer.bin")
    Path tokenizer;

    @Option(names = "--datasets", required = true, paramLabel = "DIR", description = "the benchmark directory (as ../shared/datasets)")
    Path datasetsDir;

    @Option(names = "--dataset", required = true, split = ",", paramLabel = "NAMES", description = "datasets by name, comma-separated (see `datasets`)")
    List<String> datasets;

    @Option(names = "--task", split = ",", paramLabel = "TASKS", description = "ner, re, ed, eae (default: every task the dataset's labels cover)")
    List<String> tasks = new ArrayList<>();

    @Option(names = "--split", defaultValue = "test", description = "split to run (default ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--limit", defaultValue = "0", description = "first N sentences per dataset, 0 for all (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--benchmark-sample", paramLabel = "SEED", arity = "0..1", fallbackValue = "42",
            description = "NER and RE on KnowCoder's benchmark subset (ceil(x/14) or ceil(x/4) samples per type, seed 42 unless given)")
    Long benchmarkSeed;

    @Option(names = "--shots", defaultValue = "0", description = "few-shot examples from the train split (default ${DEFAULT-VALUE})")
    int shots;

    @Option(names = "--schema", paramLabel = "LIBRARY", description = "schema library JSON (schema import); default: bare classes named by the label maps")
    Path schema;

    @Option(names = "--refined", description = "name the dataset in the instruction, as KnowCoder's refined models expect")
    boolean refined;

    @Option(names = "--max-new-tokens", defaultValue = "640", description = "generated tokens per sentence at most (default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--no-prefix-reuse", description = "prefill every prompt whole (for comparison)")
    boolean noPrefixReuse;

    @Option(names = "--batch", defaultValue = "16", description = "sentences decoded together, as the heap allows (default ${DEFAULT-VALUE}; 1: one at a time)")
    int batch;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory: predictions.jsonl (resumable), scores.json")
    Path out;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DeviceOptions device;

    void check() throws IOException {
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        if (shots < 0) throw new IllegalArgumentException("--shots must be >= 0, got " + shots);
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        device.check();
        if (!Files.isDirectory(datasetsDir)) throw new NoSuchFileException(datasetsDir.toString(), null, "no such datasets directory");
    }

    Set<Task> taskSet() {
        Set<Task> out = EnumSet.noneOf(Task.class);
        for (String t : tasks) out.add(Task.parse(t));
        return out;
    }

    SchemaLibrary library() throws IOException {
        return schema == null ? null : SchemaJson.read(schema);
    }

    List<ExtractionJob> jobs(SchemaLibrary library) throws IOException {
        return JobPlanner.plan(datasetsDir, datasets, split, taskSet(), limit, shots, library, refined, benchmarkSeed);
    }

    Tokenizer openTokenizer(LlamaWeights weights) throws IOException {
        Tokenizer tok = Tokenizers.load(tokenizer);
        TokenizerFit.check(tok, tokenizer, weights.config(), model);
        return tok;
    }

    LlamaWeights loadModel() throws IOException {
        return ModelLoader.weights(model, device.quantizeQ8(), device.onCpu());
    }

    /**
     * Sequences for the session: one per sentence in flight plus the shared prefix's; one when
     * batching is off. An accelerator gets all of {@code --batch} (its memory refuses what does not
     * fit, naming the size); the CPU as many as half the free heap holds (each sequence has a KV
     * cache of the whole context), and one sequence when two would not fit.
     */
    int sequences(LlamaWeights weights) {
        if (batch == 1) return 1;
        if (!device.onCpu()) return batch + 1;
        var c = weights.config();
        long perSequence = 2L * c.nLayers() * c.seqLen() * c.kvDim() * Float.BYTES;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long fits = free / 2 / Math.max(1, perSequence);
        return fits < 3 ? 1 : (int) Math.min(batch + 1, fits);
    }

    int threadCount() {
        return threads.count();
    }

    Path predictions() {
        return out.resolve("predictions.jsonl");
    }
}

package org.knowcoder.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.ie.AtomicText;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.SampleJson;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.trainingdata.FollowingBuilder;
import org.knowcoder.ie.trainingdata.FollowingOptions;
import org.knowcoder.ie.trainingdata.InstanceForm;
import org.knowcoder.ie.trainingdata.UnderstandingBuilder;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.Directories;
import org.knowcoder.model.AveragedWeights;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.PythonRenderer;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Style;
import org.knowcoder.schema.Task;
import org.knowcoder.tensor.DType;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import org.knowcoder.tokenizer.spm.ModelProto;
import org.knowcoder.tokenizer.spm.ModelType;
import org.knowcoder.tokenizer.spm.NormalizerSpec;
import org.knowcoder.tokenizer.spm.SentencePieceTrainer;
import org.knowcoder.tokenizer.spm.TrainerSpec;
import org.knowcoder.train.Examples;
import org.knowcoder.train.FullTraining;
import org.knowcoder.train.LrSchedule;
import org.knowcoder.train.ShardExamples;
import org.knowcoder.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The KnowCoder-mini recipe ({@code knowcoder recipe mini}): tokenizer, schema understanding
 * (code pretraining from seeded random weights), schema following (instruction tuning), a model
 * soup (the mean of the fine-tuned model and copies fine-tuned further), evaluation, export, each
 * stage by the library code its command would run. Layout of OUT:
 * <pre>
 * recipe.json              the options (a resume with others is refused)
 * STAGE.done.json          a stage's output is complete (the wall time of the run that finished it); skipped on a rerun
 * tokenizer/               corpus.txt, tokenizer.model
 * understanding/           kelm.jsonl, data/ (shard), init/ (random weights), run/ (training run; run/model)
 * following/               samples/, data/ (shard), run/ (training run; run/model)
 * soup/                    start/ (the fine-tuned model in BF16), branch-N/ (training runs; branch-N/model), model/ (their mean)
 * eval/supervised, eval/zero-shot   eval run directories (predictions.jsonl resumes)
 * scores.json              both groups' scores
 * model/                   the final model (BF16 Hugging Face), tokenizer.model, schema.json, default-types.txt
 * </pre>
 * A stage killed midway resumes by its own mechanism: training runs from their latest checkpoint
 * (bit-exactly), evaluation from its predictions; the rest is rebuilt whole, and every file is
 * written atomically. Every random choice is seeded, so the same options and thread count give the
 * same bytes.
 *
 * <p>Fine-tuning trains all weights, not a LoRA adapter: at 4.8M parameters the whole model costs
 * little more to update than rank-32 adapters on every projection (the activations, not the
 * weights, dominate a step), the embeddings and norms learn the instruction format too, and the
 * result needs no merge before export.
 */
public final class Recipe {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Peak learning rates, each decaying to a tenth by a cosine. Understanding starts from random
     * weights: at 5e-4 (llama2.c's for its 15M model) the 4.8M model had not begun to copy from the
     * prompt after 600 steps, at 2e-3 it copies within a few hundred. Fine-tuning starts from
     * understanding's weights, which copy already: there 1e-3 learns faster than 2e-3 (the same
     * 1,500 steps from the same weights: README's recipe section).
     */
    private static final double UNDERSTANDING_LR = 2e-3, FOLLOWING_LR = 1e-3, MIN_LR_RATIO = 0.1, CLIP = 1.0;
    /**
     * The soup's branches fine-tune on from the fine-tuned model at a third of its peak rate: far
     * enough to go their own ways, near enough to stay in its basin, where the mean of the models is
     * better than each (README's recipe section).
     */
    private static final double SOUP_LR = 3e-4;
    /** Warmup, as a share of each run's steps. */
    private static final double UNDERSTANDING_WARMUP = 0.02, FOLLOWING_WARMUP = 0.05;
    /**
     * The datasets fine-tuning spends its steps on, and how many times each sentence is there:
     * CoNLL03 (entities) and CoNLL04 (entities and relations, 1,153 train and dev sentences, hence 4
     * times) are the datasets the model's quality is judged by, and 20,000 steps of 16 are some 12
     * passes over their 26,515 instructions; spread over every train split (75M tokens) they would
     * be a fraction of one. The other datasets are learned in schema understanding only. When none
     * of these is among the chosen datasets, each chosen one is fine-tuned on once.
     */
    private static final Map<String, Integer> FOLLOWING_REPEATS = Map.of("conll2003", 1, "conll04", 4);
    /** A killed run loses at most a tenth of its steps. */
    private static final int CHECKPOINTS = 10;

    private final RecipeOptions o;
    private final Sizes sizes;
    private final PrintStream err;
    private final Path out;
    private Map<String, List<Sample>> trainSplits;
    private SchemaLibrary library;

    public Recipe(RecipeOptions options, PrintStream err) {
        this.o = options;
        this.sizes = options.sizes();
        this.err = err;
        this.out = options.out().toAbsolutePath().normalize(); // the training runs record paths: the same however OUT is spelled
    }

    /** Runs the chosen stages (skipping complete ones) and returns the summary: stage wall times and scores. */
    public ObjectNode run() throws IOException {
        o.record();
        ObjectNode summary = JSON.createObjectNode().put("out", out.toString()).put("quick", o.quick());
        ObjectNode stages = summary.putObject("stages");
        for (Stage stage : Stage.values()) {
            Path done = out.resolve(stage.id() + ".done.json");
            if (Files.exists(done)) {
                stages.set(stage.id(), ((ObjectNode) JSON.readTree(done.toFile())).put("skipped", true));
                continue;
            }
            if (!o.stages().contains(stage)) continue;
            for (Stage before : Stage.values()) {
                if (before.ordinal() < stage.ordinal() && !Files.exists(out.resolve(before.id() + ".done.json"))) {
                    throw new BadInputException("--stage " + stage.id() + " needs stage " + before.id() + " complete in " + out);
                }
            }
            err.println("recipe: stage " + stage.id());
            long t0 = System.nanoTime();
            switch (stage) {
                case TOKENIZER -> tokenizer();
                case UNDERSTANDING -> understanding();
                case FOLLOWING -> following();
                case SOUP -> soup();
                case EVAL -> eval();
                case EXPORT -> export();
            }
            ObjectNode record = JSON.createObjectNode().put("wall_s", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
            AtomicWrite.write(done, JSON.writeValueAsBytes(record));
            err.printf("recipe: stage %s done in %.1f s%n", stage.id(), record.get("wall_s").asDouble());
            stages.set(stage.id(), record);
        }
        Path scores = out.resolve("scores.json");
        if (Files.exists(scores)) summary.set("scores", JSON.readTree(scores.toFile()));
        return summary;
    }

    /**
     * Training text of every train split (one sentence a line) plus the code of every class of the
     * schema; spaces kept apart from words, so that a word is the same ids in the sentence and quoted
     * in the results.
     */
    private void tokenizer() throws IOException {
        Path dir = out.resolve("tokenizer"), corpus = dir.resolve("corpus.txt");
        List<String> lines = new ArrayList<>();
        for (List<Sample> samples : trainSplits().values()) for (Sample s : samples) lines.add(s.text().replace('\n', ' '));
        for (Concept c : library().concepts()) lines.addAll(PythonRenderer.render(c, Task.of(c.kind()), Style.FOLLOWING).lines().toList());
        AtomicText.writeLines(corpus, lines);
        // LLaMA-2's choices, as train-tokenizer's defaults: BPE, byte fallback, split digits, identity normalization
        TrainerSpec spec = new TrainerSpec();
        spec.modelType = ModelType.BPE;
        spec.vocabSize = sizes.vocab();
        spec.byteFallback = true;
        spec.splitDigits = true;
        spec.allowWhitespaceOnlyPieces = true; // indentation of class code
        // not LLaMA-2's: "▁Reuters" in the sentence and "Reuters" in Organization("Reuters") would be unrelated ids,
        // and the first fine-tuning run (pieces with a leading space) copied only sentence-initial words
        spec.whitespaceApart = true;
        spec.inputSentenceSize = 2_000_000;
        ModelProto model = SentencePieceTrainer.train(List.of(corpus), spec, NormalizerSpec.identity(), o.seed(), this::log);
        AtomicWrite.write(tokenizerPath(), model.toByteArray());
    }

    /** Definition code of all classes and instance code of the train splits' annotations; pretraining from seeded random weights. */
    private void understanding() throws IOException {
        Path dir = out.resolve("understanding"), kelm = dir.resolve("kelm.jsonl");
        List<String> lines = new ArrayList<>();
        trainSplits().forEach((dataset, samples) -> lines.addAll(KelmLines.lines(dataset, samples)));
        AtomicText.writeLines(kelm, lines);
        Tokenizer tok = Tokenizers.load(tokenizerPath());
        log(UnderstandingBuilder.build(List.of(kelm), library(), InstanceForm.SENTENCE_FIRST, sizes.pretrainSeqLen(), o.seed(), tok,
                tokenizerPath().toString(), dir.resolve("data"), o.threads(), this::log).toString());
        Path init = dir.resolve("init");
        if (!Files.exists(init)) writeInit(init, tok.vocabSize());
        train(init, dir.resolve("data").resolve("understanding.json"), dir.resolve("run"),
                new RunShape(sizes.pretrainSteps(), sizes.pretrainSeqLen(), 0, UNDERSTANDING_LR, UNDERSTANDING_WARMUP, o.seed()), "recipe-understanding");
    }

    /**
     * Schema-following instructions in the evaluation's form (every class of the dataset, bare: the
     * paper's refinement data), which is how eval and extract on one's own text ask, and whose
     * prompt a block of 16 shares; full-weight fine-tuning. The instructions are made of the train
     * and the dev splits: fine-tuning passes over them many times (the more sentences, the more
     * entities the model sees named), while understanding reads less than its train text once and
     * gains nothing from more. Every choice of the recipe was made on the dev splits before they
     * joined the instructions.
     */
    private void following() throws IOException {
        Path dir = out.resolve("following");
        Map<String, List<Sample>> sentences = TrainSplits.read(o.datasetsDir(), o.datasets(), sizes.trainSentences(), true);
        boolean focused = sentences.keySet().stream().anyMatch(FOLLOWING_REPEATS::containsKey);
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, List<Sample>> e : sentences.entrySet()) {
            int repeats = focused ? FOLLOWING_REPEATS.getOrDefault(e.getKey(), 0) : 1;
            if (repeats == 0) continue;
            Path file = dir.resolve("samples").resolve(e.getKey() + ".jsonl");
            AtomicText.writeLines(file, e.getValue().stream().map(SampleJson::toLine)::iterator);
            files.addAll(Collections.nCopies(repeats, file));
        }
        Tokenizer tok = Tokenizers.load(tokenizerPath());
        // every instruction in the evaluation's form (refinement share 1), so no sampled classes and no fully negative samples
        FollowingOptions options = new FollowingOptions(List.of(Task.values()), 0.2, 0, 5, false, 1.0, o.seed());
        log(FollowingBuilder.build(files, library(), options, tok, tokenizerPath().toString(), dir.resolve("data"), o.threads(), this::log).toString());
        train(out.resolve("understanding/run/model"), dir.resolve("data").resolve("following.json"), dir.resolve("run"),
                new RunShape(sizes.finetuneSteps(), sizes.seqLen(), sizes.promptBlock(), FOLLOWING_LR, FOLLOWING_WARMUP, o.seed()), "recipe-following");
    }

    /**
     * A model soup: {@code soupBranches} more fine-tuning runs on the same instructions from the
     * fine-tuned model, each with its own data order (seed + branch), and the mean of the
     * fine-tuned model and the branches' weights. The branches start from the fine-tuned model as
     * export writes it (BF16), the form in which models were shipped before this stage existed: a
     * shipped fine-tuned model is a start whose soup is the one its own recipe run would give.
     */
    private void soup() throws IOException {
        Path dir = out.resolve("soup"), start = dir.resolve("start"), model = dir.resolve("model");
        if (!Files.exists(start)) {
            try (LlamaWeights w = Checkpoints.load(out.resolve("following/run/model"))) {
                writeModel(w, start, DType.BF16);
            }
        }
        List<Path> members = new ArrayList<>(List.of(start));
        for (int b = 1; b <= sizes.soupBranches(); b++) {
            Path branch = dir.resolve("branch-" + b);
            train(start, out.resolve("following/data/following.json"), branch,
                    new RunShape(sizes.soupSteps(), sizes.seqLen(), sizes.promptBlock(), SOUP_LR, FOLLOWING_WARMUP, o.seed() + b), "recipe-soup");
            members.add(branch.resolve("model"));
        }
        List<LlamaWeights> loaded = new ArrayList<>();
        try {
            for (Path m : members) loaded.add(Checkpoints.load(m));
            writeModel(AveragedWeights.of(loaded), model, DType.F32);
        } finally {
            for (LlamaWeights w : loaded) w.close();
        }
    }

    /** Writes {@code w} as the Hugging Face directory {@code dir}, whole or not at all (a partial one beside it, then moved). */
    private static void writeModel(LlamaWeights w, Path dir, DType dtype) throws IOException {
        writeModel(w, dir, dtype, partial -> {});
    }

    /** Files a model directory holds beside the weights, written into it before it is moved into place. */
    private interface Beside {
        void write(Path partial) throws IOException;
    }

    /** {@link #writeModel(LlamaWeights, Path, DType)} with {@code beside}'s files in the directory too. */
    private static void writeModel(LlamaWeights w, Path dir, DType dtype, Beside beside) throws IOException {
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        Directories.deleteFlat(partial);
        HuggingFaceWriter.write(w, partial, dtype);
        beside.write(partial);
        Directories.deleteFlat(dir);
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    private void eval() throws IOException {
        ObjectNode scores = JSON.createObjectNode();
        TestScores eval = new TestScores(out.resolve("soup/model"), tokenizerPath(), o, sizes, this::log);
        scores.set("supervised", eval.run(o.datasets().stream().filter(d -> !TrainSplits.zeroShot(d)).toList(), out.resolve("eval/supervised")));
        scores.set("zero_shot", eval.run(o.datasets().stream().filter(TrainSplits::zeroShot).toList(), out.resolve("eval/zero-shot")));
        AtomicWrite.write(out.resolve("scores.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(scores));
    }

    /** The fine-tuned weights in BF16 (half the bytes; training and inference compute in F32 from them) beside tokenizer and schema. */
    private void export() throws IOException {
        try (LlamaWeights w = Checkpoints.load(out.resolve("soup/model"))) {
            writeModel(w, out.resolve("model"), DType.BF16, partial -> {
                Files.copy(tokenizerPath(), partial.resolve("tokenizer.model"));
                Files.copy(o.schema(), partial.resolve("schema.json"));
                // extract's types when given none: CoNLL03's, the entity types the model saw most, in the very prompt of its refinement data
                AtomicText.writeLines(partial.resolve("default-types.txt"),
                        new TreeSet<>(DatasetLabels.load("conll2003").get(Task.NER).classToLabel().keySet()));
            });
        }
    }

    private void writeInit(Path init, int vocab) throws IOException {
        LlamaConfig config = new LlamaConfig(sizes.dim(), sizes.hidden(), sizes.layers(), sizes.heads(), sizes.heads(), vocab,
                sizes.seqLen(), 1e-5f, 10000f);
        try (LlamaWeights w = RandomWeights.initial(config, false, o.seed())) {
            writeModel(w, init, DType.F32);
        }
    }

    /**
     * A training run's steps, sequence length, peak learning rate, warmup and seed (data order); {@code promptBlock} > 0:
     * micro-batches of that many instructions grouped by prompt, else of sizes.microBatch().
     */
    private record RunShape(int steps, int seqLen, int promptBlock, double lr, double warmupRatio, long seed) {}

    /** A full-weight training run. */
    private void train(Path model, Path shard, Path runDir, RunShape r, String command) throws IOException {
        int every = (r.steps() + CHECKPOINTS - 1) / CHECKPOINTS, micro = r.promptBlock() > 0 ? r.promptBlock() : sizes.microBatch();
        ObjectNode config = JSON.createObjectNode().put("command", command).put("model", model.toString()).put("data", shard.toString())
                .put("steps", r.steps()).put("batch", sizes.batch()).put("micro_batch", micro).put("seq_len", r.seqLen())
                .put("pack", true).put("lr", r.lr()).put("warmup_ratio", r.warmupRatio()).put("min_lr_ratio", MIN_LR_RATIO).put("clip", CLIP)
                .put("seed", r.seed()).put("checkpoint_activations", false).put("bf16", false);
        if (r.promptBlock() > 0) config.put("group_by_prompt", r.promptBlock());
        FullTraining.run(model, c -> {
            Examples examples = new Examples(ShardExamples.open(shard, c.vocabSize()), r.seqLen(), r.seed(), true);
            return r.promptBlock() > 0 ? examples.groupedByPrompt(r.promptBlock()) : examples;
        }, runDir, new TrainingRun.Options(r.steps(), sizes.batch(), micro, every, r.seed(), o.allowChangedOptions()),
                LrSchedule.withWarmupRatio(r.lr(), r.warmupRatio(), r.steps(), MIN_LR_RATIO),
                new FullTraining.Compute(CLIP, 0, false, false, o.threads()), config, err);
    }

    private Path tokenizerPath() {
        return out.resolve("tokenizer/tokenizer.model");
    }

    private Map<String, List<Sample>> trainSplits() throws IOException {
        if (trainSplits == null) trainSplits = TrainSplits.read(o.datasetsDir(), o.datasets(), sizes.trainSentences(), false);
        return trainSplits;
    }

    private SchemaLibrary library() throws IOException {
        if (library == null) library = SchemaJson.read(o.schema());
        return library;
    }

    private void log(String line) {
        err.println("recipe: " + line);
    }
}

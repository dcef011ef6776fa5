package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import org.knowcoder.train.Examples;
import org.knowcoder.train.JsonlExamples;
import org.knowcoder.train.LrSchedule;
import org.knowcoder.train.ShardExamples;
import org.knowcoder.train.TrainingRun;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Options shared by train and finetune: data, run directory, batch, schedule. */
final class TrainingOptions {
    @Option(names = "--model", required = true, description = "Starting weights: llama2.c .bin or Hugging Face directory.")
    Path model;
    @Option(names = "--tokenizer", description = "Tokenizer (.model or tokenizer.bin), for JSON lines data.")
    Path tokenizer;
    @Option(names = "--data", required = true, description = "JSON lines: {\"text\"} or {\"prompt\",\"output\"} (loss on output only); "
            + "or a token shard's NAME.json header (build-data --tokenizer).")
    Path data;
    @Option(names = "--out", required = true, description = "Run directory (resumes from its latest checkpoint).")
    Path out;
    @Option(names = "--steps", defaultValue = "100", description = "Optimizer steps in all, a resumed run's included (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch", defaultValue = "8", description = "Examples per optimizer step (default ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--micro-batch", defaultValue = "0", description = "Examples per forward/backward, 0 for --batch (default ${DEFAULT-VALUE}).")
    int microBatch;
    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per example: longer examples are cut; shorter ones "
            + "are padded to it with --no-pack (default ${DEFAULT-VALUE}).")
    int seqLen;
    // on by default: the same examples, targets and loss per step as padding each example, and on
    // CoNLL03 prompt/output samples (~85 tokens, --seq-len 256) 3.3 times the examples per second (README)
    @Option(names = "--pack", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Pack each "
            + "micro-batch's examples one after another, without padding (positions restart and attention stays within each example); "
            + "--no-pack pads each example to --seq-len. The same examples and loss per step either way (default ${DEFAULT-VALUE}).")
    boolean pack;
    @Option(names = "--group-by-prompt", description = "Order each epoch in blocks of one micro-batch whose examples begin alike "
            + "(sorted by their first 512 tokens; the blocks shuffled), and lay the prompt a block's examples share out once, each "
            + "example's own rows attending to it: instruction data whose samples share long prompts trains several times faster. "
            + "The same loss per example; batches are less mixed. Implies --pack.")
    boolean groupByPrompt;
    @Option(names = "--lr", defaultValue = "3e-4", description = "Peak learning rate (default ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--warmup-ratio", defaultValue = "0.1",
            description = "Share of the steps with a linear warmup to the peak learning rate (default ${DEFAULT-VALUE}).")
    double warmupRatio;
    @Option(names = "--min-lr-ratio", defaultValue = "0.1",
            description = "Where the cosine decay ends, as a share of the peak learning rate (default ${DEFAULT-VALUE}).")
    double minLrRatio;
    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient norm clip; 0 for none (default ${DEFAULT-VALUE}).")
    double clip;
    // a tenth by default: a killed run loses at most a tenth of its steps, and a run keeps at most ten checkpoints
    @Option(names = "--checkpoint-every", defaultValue = "10%", paramLabel = "N|P%", description = "Also checkpoint every N steps, "
            + "or every P%% of --steps (rounded up); 0 for only at the end. A rerun resumes from the latest (default ${DEFAULT-VALUE}).")
    String checkpointEvery;
    @Option(names = "--allow-changed-options", description = "Resume even though an option that shapes the run (such as --lr, "
            + "--batch, --seq-len, --data) differs from the one its latest checkpoint was trained with; the new value applies from there on.")
    boolean allowChangedOptions;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the data order (finetune: also of the adapter's "
            + "initialization and dropout) (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--checkpoint-activations", description = "Keep only each layer's input from forward to backward and "
            + "recompute the layer in backward: less memory, one more forward; identical results.")
    boolean checkpointActivations;
    @Option(names = "--bf16", description = "Compute with BF16 copies of the weights and BF16 activations; "
            + "master weights, optimizer moments, gradients and checkpoints stay F32.")
    boolean bf16;
    @Mixin ThreadsOption threads;
    /** --checkpoint-every in steps, set by {@link #validate}. */
    private int checkpointInterval;

    void validate() {
        if (steps < 1 || batch < 1 || seqLen < 1) throw new BadInputException("--steps, --batch and --seq-len must be positive");
        if (!(clip >= 0)) throw new BadInputException("--clip must be >= 0 (0: no clipping), got " + clip);
        // each named here: LrSchedule's own check cannot say which option was wrong; negated, so that NaN is refused too
        if (!(lr > 0 && lr < Double.POSITIVE_INFINITY)) throw new BadInputException("--lr must be positive and finite, got " + lr);
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) throw new BadInputException("--warmup-ratio must be in [0, 1], got " + warmupRatio);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) throw new BadInputException("--min-lr-ratio must be in [0, 1], got " + minLrRatio);
        if (microBatch < 0) throw new BadInputException("--micro-batch must be >= 0 (0: --batch), got " + microBatch);
        if (microBatch == 0) microBatch = batch;
        if (batch % microBatch != 0) throw new BadInputException("--batch " + batch + " is not a multiple of --micro-batch " + microBatch);
        if (tokenizer == null && !ShardExamples.isShard(data)) throw new BadInputException("--tokenizer is needed to read JSON lines data");
        checkpointInterval = parseCheckpointEvery();
    }

    /** --checkpoint-every in steps: N as it is, P% of --steps rounded up (so a short run still checkpoints). */
    private int parseCheckpointEvery() {
        Matcher m = Pattern.compile("(\\d{1,9})(%?)").matcher(checkpointEvery);
        if (!m.matches()) {
            throw new BadInputException("--checkpoint-every: expected a number of steps or a percentage of --steps such as 10%, got "
                    + checkpointEvery);
        }
        int n = Integer.parseInt(m.group(1));
        if (m.group(2).isEmpty()) return n;
        if (n < 1 || n > 100) throw new BadInputException("--checkpoint-every: a percentage must be 1% to 100%, got " + checkpointEvery);
        return (int) (((long) steps * n + 99) / 100);
    }

    /** The training data, checked against the model's vocabulary and context before any step. */
    Examples examples(LlamaConfig config) throws IOException {
        if (seqLen > config.seqLen()) {
            throw new BadInputException("--seq-len " + seqLen + " is longer than the context of " + model + ", " + config.seqLen() + " positions");
        }
        int vocabSize = config.vocabSize();
        Examples examples;
        if (ShardExamples.isShard(data)) {
            examples = new Examples(ShardExamples.open(data, vocabSize), seqLen, seed, pack);
        } else {
            // as extract does: ids of another model's tokenizer would train on the wrong tokens even where they fit
            Tokenizer tok = Tokenizers.load(tokenizer);
            Tokenizers.requireFits(tok, tokenizer, vocabSize, model);
            examples = new Examples(JsonlExamples.read(data, tok, vocabSize), seqLen, seed, pack);
        }
        return groupByPrompt ? examples.groupedByPrompt(microBatch) : examples;
    }

    int threadCount() {
        return threads.count();
    }

    LrSchedule schedule() {
        return LrSchedule.withWarmupRatio(lr, warmupRatio, steps, minLrRatio);
    }

    TrainingRun.Options runOptions() {
        return new TrainingRun.Options(steps, batch, microBatch, checkpointInterval, seed, allowChangedOptions);
    }

    ObjectNode toJson(String command) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("command", command).put("model", model.toString()).put("tokenizer", tokenizer == null ? null : tokenizer.toString()).put("data", data.toString())
                .put("steps", steps).put("batch", batch).put("micro_batch", microBatch).put("seq_len", seqLen).put("pack", pack || groupByPrompt)
                .put("group_by_prompt", groupByPrompt ? microBatch : 0).put("lr", lr)
                .put("warmup_ratio", warmupRatio).put("min_lr_ratio", minLrRatio).put("clip", clip).put("seed", seed)
                .put("checkpoint_activations", checkpointActivations).put("bf16", bf16);
        return n;
    }
}

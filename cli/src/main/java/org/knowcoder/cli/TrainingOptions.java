package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    @Option(names = "--batch", defaultValue = "8", description = "Sequences per optimizer step (default ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--micro-batch", defaultValue = "0", description = "Sequences per forward/backward, 0 for --batch (default ${DEFAULT-VALUE}).")
    int microBatch;
    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per sequence: longer examples are cut, shorter ones "
            + "padded (default ${DEFAULT-VALUE}).")
    int seqLen;
    @Option(names = "--lr", defaultValue = "3e-4", description = "Peak learning rate (default ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--warmup-ratio", defaultValue = "0.1",
            description = "Share of the steps with a linear warmup to the peak learning rate (default ${DEFAULT-VALUE}).")
    double warmupRatio;
    @Option(names = "--min-lr-ratio", defaultValue = "0.1",
            description = "Where the cosine decay ends, as a share of the peak learning rate (default ${DEFAULT-VALUE}).")
    double minLrRatio;
    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient norm clip; 0 for none (default ${DEFAULT-VALUE}).")
    double clip;
    @Option(names = "--checkpoint-every", defaultValue = "0",
            description = "Also checkpoint every N steps, 0 for only at the end (default ${DEFAULT-VALUE}).")
    int checkpointEvery;
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

    void validate() {
        if (steps < 1 || batch < 1 || seqLen < 1) throw new IllegalArgumentException("--steps, --batch and --seq-len must be positive");
        if (!(clip >= 0)) throw new IllegalArgumentException("--clip must be >= 0 (0: no clipping), got " + clip);
        if (microBatch == 0) microBatch = batch;
        if (batch % microBatch != 0) throw new IllegalArgumentException("--batch " + batch + " is not a multiple of --micro-batch " + microBatch);
        if (tokenizer == null && !ShardExamples.isShard(data)) throw new IllegalArgumentException("--tokenizer is needed to read JSON lines data");
    }

    /** The training data, checked against the model's vocabulary before any step. */
    Examples examples(int vocabSize) throws IOException {
        if (ShardExamples.isShard(data)) return new Examples(ShardExamples.open(data, vocabSize), seqLen, seed);
        return new Examples(JsonlExamples.read(data, Tokenizers.load(tokenizer), vocabSize), seqLen, seed);
    }

    int threadCount() {
        return threads.count();
    }

    LrSchedule schedule() {
        return LrSchedule.withWarmupRatio(lr, warmupRatio, steps, minLrRatio);
    }

    TrainingRun.Options runOptions() {
        return new TrainingRun.Options(steps, batch, microBatch, checkpointEvery, seed);
    }

    ObjectNode toJson(String command) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("command", command).put("model", model.toString()).put("tokenizer", tokenizer == null ? null : tokenizer.toString()).put("data", data.toString())
                .put("steps", steps).put("batch", batch).put("micro_batch", microBatch).put("seq_len", seqLen).put("lr", lr)
                .put("warmup_ratio", warmupRatio).put("min_lr_ratio", minLrRatio).put("clip", clip).put("seed", seed)
                .put("checkpoint_activations", checkpointActivations).put("bf16", bf16);
        return n;
    }
}

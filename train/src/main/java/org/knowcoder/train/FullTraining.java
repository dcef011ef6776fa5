package org.knowcoder.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.autograd.Tape;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Full-parameter training from a checkpoint's weights in a {@link TrainingRun} directory, the result
 * exported to RUN/model (Hugging Face, F32): what {@code train} and the recipe both run.
 */
public final class FullTraining {
    /** How the steps compute: gradient clip (0: none), residual dropout (0: none, see {@link TrainingForward}), activation checkpointing, BF16 compute, threads. */
    public record Compute(double clip, double dropout, boolean checkpointActivations, boolean bf16, int threads) {}

    /** The training data for the model's shape (checked against its vocabulary and context). */
    @FunctionalInterface
    public interface Data {
        Examples open(LlamaConfig config) throws IOException;
    }

    private FullTraining() {}

    public static void run(Path model, Data data, Path runDir, TrainingRun.Options options, LrSchedule schedule, Compute compute,
                           ObjectNode config, PrintStream err) throws IOException {
        try (LlamaWeights w = Checkpoints.load(model); WorkerPool pool = new WorkerPool(compute.threads())) {
            Examples examples = data.open(w.config());
            LlamaParams params = LlamaParams.trainable(w);
            Trainer trainer = new Trainer(new TrainingForward(params, null, compute.checkpointActivations(), (float) compute.dropout()), Parameter.of(params),
                    AdamW.knowCoder(), schedule, compute.clip(), new Tape(pool, compute.bf16()));
            TrainingRun.run(runDir, trainer, examples, options, config,
                    dir -> HuggingFaceWriter.write(params.toWeights(), dir.resolve("model"), DType.F32), err);
        }
    }
}

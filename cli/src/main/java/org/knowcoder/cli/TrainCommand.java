package org.knowcoder.cli;

import org.knowcoder.train.FullTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** Full-parameter training from a checkpoint's weights; the result is exported to RUN/model (Hugging Face, F32). */
@Command(name = "train",
        description = "Train all weights with AdamW, warmup + cosine decay and clipping; writes a run directory.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainingOptions o;

    @Override
    public Integer call() throws Exception {
        o.validate();
        FullTraining.run(o.model, o::examples, o.out, o.runOptions(), o.schedule(),
                new FullTraining.Compute(o.clip, o.checkpointActivations, o.bf16, o.threadCount()), o.toJson("train"), System.err);
        return 0;
    }
}

package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.train.FullTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** Full-parameter training from a checkpoint's weights; the result is exported to RUN/model (Hugging Face, F32). */
@Command(name = "train",
        description = "Train all weights with AdamW, warmup + cosine decay and clipping; writes a run directory.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainingOptions o;

    @Option(names = "--dropout", defaultValue = "0", description = "Probability of dropping an element of each layer's attention and MLP "
            + "outputs before they join the residual stream (default ${DEFAULT-VALUE}: none).")
    double dropout;

    @Override
    public Integer call() throws Exception {
        o.validate();
        if (!(dropout >= 0 && dropout < 1)) throw new BadInputException("--dropout must be in [0, 1), got " + dropout);
        FullTraining.run(o.model, o::examples, o.out, o.runOptions(), o.schedule(),
                new FullTraining.Compute(o.clip, dropout, o.checkpointActivations, o.bf16, o.threadCount()), o.toJson("train").put("dropout", dropout),
                System.err);
        return 0;
    }
}

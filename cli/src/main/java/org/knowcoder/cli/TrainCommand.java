package org.knowcoder.cli;

import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.train.AdamW;
import org.knowcoder.train.Examples;
import org.knowcoder.train.Parameter;
import org.knowcoder.train.Trainer;
import org.knowcoder.train.TrainingRun;
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
        try (LlamaWeights w = Checkpoints.load(o.model); WorkerPool pool = new WorkerPool(o.threadCount())) {
            Examples data = o.examples(w.config());
            LlamaParams params = LlamaParams.trainable(w);
            Trainer trainer = new Trainer(new TrainingForward(params, null, o.checkpointActivations), Parameter.of(params), AdamW.knowCoder(),
                    o.schedule(), o.clip, new Tape(pool, o.bf16));
            TrainingRun.run(o.out, trainer, data, o.runOptions(), null, o.toJson("train"),
                    dir -> HuggingFaceWriter.write(params.toWeights(), dir.resolve("model"), DType.F32), System.err);
        }
        return 0;
    }
}

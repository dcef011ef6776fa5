package org.knowcoder.cli;

import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.train.AdamW;
import org.knowcoder.train.Examples;
import org.knowcoder.train.LoraAdapter;
import org.knowcoder.train.Trainer;
import org.knowcoder.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** LoRA fine-tuning with the base frozen in its file dtype; the adapter is saved to RUN/adapter in PEFT layout. */
@Command(name = "finetune",
        description = "LoRA fine-tuning (base frozen); writes a run directory with a PEFT adapter.")
final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    TrainingOptions o;
    @Option(names = "--rank", defaultValue = "32", description = "LoRA rank r (default ${DEFAULT-VALUE}).") int rank;
    @Option(names = "--alpha", defaultValue = "64", description = "LoRA alpha: the update is scaled by alpha / r (default ${DEFAULT-VALUE}).")
    double alpha;
    @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout on the adapters' input (default ${DEFAULT-VALUE}).") double dropout;
    @Option(names = "--targets", split = ",", defaultValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
            description = "Projections to adapt, comma-separated (default ${DEFAULT-VALUE}).")
    List<String> targets;

    @Override
    public Integer call() throws Exception {
        o.validate();
        LoraConfig lora = new LoraConfig(rank, alpha, dropout, LoraConfig.parseTargets(targets));
        try (LlamaWeights w = Checkpoints.load(o.model); WorkerPool pool = new WorkerPool(o.threadCount())) {
            Examples data = o.examples(w.config());
            LoraAdapter adapter = LoraAdapter.create(lora, w.config(), o.seed);
            Trainer trainer = new Trainer(new TrainingForward(LlamaParams.frozen(w), adapter, o.checkpointActivations), adapter.parameters(),
                    AdamW.knowCoder(), o.schedule(), o.clip, new Tape(pool, o.bf16));
            TrainingRun.run(o.out, trainer, data, o.runOptions(), o.toJson("finetune").put("rank", rank)
                    .put("alpha", alpha).put("dropout", dropout), dir -> adapter.save(dir.resolve("adapter"), o.model.toString()), System.err);
        }
        return 0;
    }
}

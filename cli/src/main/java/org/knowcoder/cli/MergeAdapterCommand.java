package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.tensor.DType;
import org.knowcoder.train.LoraAdapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "merge-adapter", sortOptions = false,
        description = "Fold a PEFT LoRA adapter into its base model and write the result as a Hugging Face directory.")
final class MergeAdapterCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "the base model the adapter was trained on")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT adapter directory (adapter_config.json, adapter_model.safetensors)")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Hugging Face directory to write (config.json, model.safetensors)")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32 or bf16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Override
    public Integer call() throws Exception {
        DType type = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> DType.F32;
            case "bf16" -> DType.BF16;
            default -> throw new BadInputException("--dtype " + dtype + ": expected f32 or bf16");
        };
        try (LlamaWeights base = Checkpoints.load(model)) {
            LoraAdapter lora = LoraAdapter.load(adapter, base.config());
            LlamaParams params = LlamaParams.trainable(base);
            lora.mergeInto(params);
            HuggingFaceWriter.write(params.toWeights(), out, type);
        }
        System.err.println("merge-adapter: wrote " + out);
        return 0;
    }
}

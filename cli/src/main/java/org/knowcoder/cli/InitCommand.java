package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.format.Llama2cWriter;
import org.knowcoder.tensor.DType;
import org.knowcoder.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A new model with seeded random weights ({@link RandomWeights#initial}), so that training from
 * scratch starts from a file of our own: the same options and seed give the same bytes.
 */
@Command(name = "init", description = "Create a new model with seeded random weights (N(0, 0.02) matrices, norms 1), "
        + "to train from scratch with 'train --model OUT'.")
final class InitCommand implements Callable<Integer> {
    @Option(names = "--dim", defaultValue = "256", description = "Model width (default ${DEFAULT-VALUE}).") int dim;
    @Option(names = "--layers", defaultValue = "6", description = "Transformer layers (default ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--heads", defaultValue = "8", description = "Attention heads; --dim / --heads is the head size, "
            + "which must be even (default ${DEFAULT-VALUE}).") int heads;
    @Option(names = "--kv-heads", description = "Key/value heads, dividing --heads (grouped-query attention) "
            + "(default: --heads, plain multi-head attention).") Integer kvHeads;
    @Option(names = "--hidden", defaultValue = "768", description = "Feed-forward width (default ${DEFAULT-VALUE}).") int hidden;
    @Option(names = "--vocab", description = "Vocabulary size; or take it from --tokenizer.") Integer vocab;
    @Option(names = "--tokenizer", description = "Tokenizer (.model or tokenizer.bin) whose vocabulary size the model gets.")
    Path tokenizer;
    @Option(names = "--seq-len", defaultValue = "256", description = "Longest context (default ${DEFAULT-VALUE}).") int seqLen;
    @Option(names = "--tie-embeddings", description = "One matrix for the token embedding and the output classifier "
            + "(fewer parameters); otherwise two.") boolean tieEmbeddings;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--format", defaultValue = "hf", description = "hf (a Hugging Face directory: config.json, model.safetensors) "
            + "or llama2c (one .bin file, version 0) (default ${DEFAULT-VALUE}).") String format;
    @Option(names = "--out", required = true, description = "The model directory (hf) or file (llama2c) to create; "
            + "it must not exist yet.") Path out;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("hf") && !format.equals("llama2c")) throw new BadInputException("--format must be hf or llama2c, got " + format);
        if (Files.exists(out)) throw new BadInputException(out + ": exists; init writes a new model and does not overwrite one");
        LlamaConfig config = config(vocabSize());
        try (LlamaWeights w = RandomWeights.initial(config, tieEmbeddings, seed)) {
            if (format.equals("hf")) HuggingFaceWriter.write(w, out, DType.F32);
            else Llama2cWriter.writeVersion0(w, out);
        }
        System.out.printf("%s: %,d parameters (dim %d, %d layers, %d/%d heads, hidden %d, vocab %d, seq len %d), seed %d%n", out,
                parameters(config, tieEmbeddings), dim, layers, heads, config.nKvHeads(), hidden, config.vocabSize(), seqLen, seed);
        return 0;
    }

    private int vocabSize() throws IOException {
        if ((vocab == null) == (tokenizer == null)) throw new BadInputException("give the vocabulary size as one of --vocab or --tokenizer");
        return vocab != null ? vocab : Tokenizers.load(tokenizer).vocabSize();
    }

    /** The shape, each rule a LLaMA needs checked here so that a bad option is named as the user wrote it. */
    private LlamaConfig config(int vocabSize) {
        int kv = kvHeads == null ? heads : kvHeads;
        if (dim < 1 || layers < 1 || heads < 1 || kv < 1 || hidden < 1 || vocabSize < 1 || seqLen < 1) {
            throw new BadInputException("--dim, --layers, --heads, --kv-heads, --hidden, --vocab and --seq-len must be positive");
        }
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new BadInputException("--dim " + dim + " must be --heads " + heads + " times an even head size (RoPE rotates pairs)");
        }
        if (heads % kv != 0) throw new BadInputException("--kv-heads " + kv + " must divide --heads " + heads);
        return new LlamaConfig(dim, hidden, layers, heads, kv, vocabSize, seqLen, 1e-5f, 10000f);
    }

    static long parameters(LlamaConfig c, boolean tied) {
        long d = c.dim(), perLayer = 2 * d + 2 * d * d + 2 * d * c.kvDim() + 3 * d * c.hiddenDim();
        return (tied ? 1 : 2) * (long) c.vocabSize() * d + c.nLayers() * perLayer + d;
    }
}

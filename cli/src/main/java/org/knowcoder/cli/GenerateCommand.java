package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.PeftAdapter;
import org.knowcoder.model.session.DecodingSession;
import org.knowcoder.model.session.Generator;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.model.session.Sampler;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "generate", sortOptions = false,
        description = "Generate text from a LLaMA-2 checkpoint (llama2.c .bin, Hugging Face directory, .safetensors, pytorch_model.bin or .gguf).")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "llama2.c .bin, Hugging Face directory, .safetensors with config.json beside it, or .gguf")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "PATH", description = "SentencePiece .model or llama2.c tokenizer.bin (default: tokenizer.model or tokenizer.bin in a model directory, tokenizer.bin or tokenizer.model beside a model file, a GGUF model's own)")
    Path tokenizer;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "prompt text (BOS is added)")
    String prompt;

    @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",", description = "prompt as token ids; BOS (1) is added when missing")
    int[] promptIds;

    @Option(names = "--steps", defaultValue = "256", description = "positions to run, prompt included, as llama2.c -n (0: the model's context; default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--temperature", defaultValue = "1.0", description = "0 is greedy (default ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-p", defaultValue = "0.9", description = "nucleus sampling mass in (0, 1]; 1 disables, and so does 0, as in llama2.c (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", description = "RNG seed (default: the time)")
    Long seed;

    @Option(names = "--output-ids", description = "print the generated ids (no prompt) on one line instead of text")
    boolean outputIds;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--adapter", paramLabel = "DIR", description = "a PEFT LoRA adapter (finetune's RUN/adapter), applied without merging")
    Path adapter;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws IOException {
        device.check();
        if (prompt != null && promptIds != null) throw new BadInputException("give either --prompt or --prompt-ids, not both");
        // NaN compares false, so these are written to reject it too
        if (!(temperature >= 0 && temperature < Float.POSITIVE_INFINITY)) {
            throw new BadInputException("--temperature must be >= 0 and finite, got " + temperature);
        }
        if (!(topP >= 0 && topP <= 1)) throw new BadInputException("--top-p must be in (0, 1], or 0 for no nucleus sampling, got " + topP);
        if (steps < 0) throw new BadInputException("--steps must be >= 0 (0: the model's context), got " + steps);
        if (adapter != null && !device.onCpu()) {
            throw new BadInputException("--adapter runs on --device cpu only; merge it first (merge-adapter) to generate on " + device.device);
        }
        // the device opens first: a machine without one learns it before a large checkpoint is read
        try (WorkerPool pool = new WorkerPool(threads.count());
             Device accelerator = device.open(pool)) {
            Tokenizer tok = openTokenizer();
            long t0 = System.nanoTime();
            LlamaWeights weights = ModelLoader.weights(model, device.quantize(), device.onCpu());
            try (weights) {
                // every check comes before the first line of output, so bad input gets its one line and nothing else
                int[] ids = checkedPrompt(tok, weights);
                DecodingSession session = ModelLoader.session(model, weights, pool, accelerator, 1,
                        adapter == null ? null : PeftAdapter.read(adapter, weights.config()).forInference());
                double loadMs = (System.nanoTime() - t0) / 1e6;
                System.err.printf("loaded %s (%s, %d layers, dim %d) in %.0f ms on %s%n", model, weights.dtype(),
                        weights.config().nLayers(), weights.config().dim(), loadMs,
                        accelerator == null ? "cpu, " + pool.threads() + " threads" : accelerator.description());
                generate(tok, session, ids);
            }
        }
        return 0;
    }

    /** The prompt's ids, checked against the model (vocabulary, context) and the tokenizer. */
    private int[] checkedPrompt(Tokenizer tok, LlamaWeights weights) {
        if (tok != null) Tokenizers.requireFits(tok, tokenizer, weights.config().vocabSize(), model);
        int[] ids = promptTokens(tok);
        int[] checked = ModelLoader.aboutModel(model, () -> {
            Generator.checkPrompt(ids, weights.config());
            return ids;
        });
        // --steps counts the prompt's positions too (llama2.c -n): a prompt longer than that leaves none to generate
        if (steps > 0 && checked.length > steps) {
            throw new BadInputException("the prompt has " + checked.length + " tokens (BOS included), more than --steps " + steps
                    + " (positions, the prompt's included), so nothing would be generated; raise --steps, or give 0 for the model's context");
        }
        return checked;
    }

    private void generate(Tokenizer tok, DecodingSession session, int[] ids) throws IOException {
        Sampler sampler = new Sampler(session.config().vocabSize(), temperature, topP,
                seed != null ? seed : System.currentTimeMillis() / 1000);
        OutputStream out = new BufferedOutputStream(System.out);
        if (!outputIds) for (int i = 1; i < ids.length; i++) writePiece(out, tok.decode(ids[i - 1], ids[i]));
        Generator.Result result = Generator.generate(session, sampler, ids, steps, 1, 2, (prev, next) -> {
            if (!outputIds) writePiece(out, tok.decode(prev, next));
        });
        if (outputIds) {
            out.write(Arrays.stream(result.ids()).mapToObj(String::valueOf).collect(Collectors.joining(" ")).getBytes(StandardCharsets.UTF_8));
        }
        out.write('\n');
        out.flush();
        if (!Double.isNaN(result.tokensPerSecond())) System.err.printf("achieved tok/s: %f%n", result.tokensPerSecond());
    }

    private Tokenizer openTokenizer() throws IOException {
        if (tokenizer == null) tokenizer = Tokenizers.besideModel(model).orElse(null);
        Path path = tokenizer;
        // only when text goes in or out: ids need no tokenizer, and a GGUF one may be of a kind not read here
        if (path == null && (prompt != null || !outputIds) && model.getFileName().toString().endsWith(".gguf")) {
            Tokenizer own = GgufVocabulary.read(model);
            if (own != null) {
                tokenizer = model;
                return own;
            }
        }
        if (path == null) {
            if (prompt != null || !outputIds) throw new BadInputException("--tokenizer is needed for text in or out (no tokenizer.model or tokenizer.bin beside the model)");
            return null;
        }
        return Tokenizers.load(path);
    }

    private int[] promptTokens(Tokenizer tok) {
        if (promptIds == null) return tok.encode(prompt == null ? "" : prompt, true, false);
        if (promptIds.length > 0 && promptIds[0] == 1) return promptIds;
        int[] ids = new int[promptIds.length + 1];
        ids[0] = 1;
        System.arraycopy(promptIds, 0, ids, 1, promptIds.length);
        return ids;
    }

    /**
     * Streams a piece as llama2.c's safe_printf does: a lone control byte (not printable, not
     * whitespace) is dropped. Unlike llama2.c, lone bytes >= 0x80 are kept, since byte-fallback
     * tokens spell out UTF-8 characters.
     */
    private static void writePiece(OutputStream out, byte[] piece) {
        if (piece.length == 0) return;
        if (piece.length == 1) {
            int b = piece[0] & 0xFF;
            boolean printable = b >= 0x20 && b < 0x7F, space = b == ' ' || (b >= 0x09 && b <= 0x0D);
            if (b < 0x80 && !printable && !space) return;
        }
        try {
            out.write(piece);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

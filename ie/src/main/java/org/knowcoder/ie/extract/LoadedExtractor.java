package org.knowcoder.ie.extract;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.session.DecodingSession;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.session.KvPrefix;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.model.session.PromptCache;
import org.knowcoder.model.format.PeftAdapter;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tokenizer.Tokenizer;
import org.knowcoder.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model loaded for extraction, for the benchmark pipeline and for extraction on a user's text:
 * the device opened, the weights loaded ({@link ModelLoader}), the tokenizer checked against them,
 * KV caches sized to the batch, and an {@link Extractor} over them. Owns the pool, the device and
 * the weights, and closes them.
 */
public final class LoadedExtractor implements AutoCloseable {
    private final WorkerPool pool;
    private final Device device;
    private final LlamaWeights weights;
    private final Extractor extractor;

    /** Whether a LoRA adapter changes what the weights compute: then no prompt cache holds. */
    private final boolean adapted;
    /** {@link PromptCache#key} of these weights, once taken; the tokens of the prefix restored, if any. */
    private String cacheKey;
    private int[] restored;

    private LoadedExtractor(WorkerPool pool, Device device, LlamaWeights weights, Extractor extractor, boolean adapted) {
        this.pool = pool;
        this.device = device;
        this.weights = weights;
        this.extractor = extractor;
        this.adapted = adapted;
    }

    /**
     * @param tokenizer the tokenizer file, or null for the one beside the model ({@link Tokenizers#besideModel})
     * @param quantize  the type to quantize the weights to at load time, or null ({@link ModelLoader#weights})
     * @param adapter   a PEFT LoRA adapter directory applied unmerged (CPU only), or null
     * @param batch     sentences decoded together (1: one at a time)
     * @param constrained answers kept within their prompts' grammars ({@link Extractor})
     */
    public static LoadedExtractor open(Path model, Path tokenizer, String device, DType quantize, Path adapter, int threads,
                                       int batch, int maxNewTokens, boolean prefixReuse, boolean constrained) throws IOException {
        Path tokenizerFile = tokenizer(model, tokenizer);
        WorkerPool pool = new WorkerPool(threads);
        Device accelerator = null;
        LlamaWeights weights = null;
        try {
            // the device opens first: a machine without one learns it before a large checkpoint is read
            accelerator = ModelLoader.accelerator(device, pool);
            weights = ModelLoader.weights(model, quantize, accelerator == null);
            Tokenizer tok = Tokenizers.load(tokenizerFile);
            Tokenizers.requireFits(tok, tokenizerFile, weights.config().vocabSize(), model);
            DecodingSession session = ModelLoader.session(model, weights, pool, accelerator, sequences(batch, weights.config(), accelerator == null),
                    adapter == null ? null : PeftAdapter.read(adapter, weights.config()).forInference());
            return new LoadedExtractor(pool, accelerator, weights, new Extractor(session, tok, maxNewTokens, prefixReuse, constrained),
                    adapter != null);
        } catch (IOException | RuntimeException | Error e) {
            if (weights != null) weights.close();
            if (accelerator != null) accelerator.close();
            pool.close();
            throw e;
        }
    }

    /** {@code tokenizer}, or (null) the one in or beside the model ({@link Tokenizers#besideModel}); none is bad input that says what to pass. */
    public static Path tokenizer(Path model, Path tokenizer) {
        if (tokenizer != null) return tokenizer;
        return Tokenizers.besideModel(model).orElseThrow(() -> new BadInputException(
                "no tokenizer.model or tokenizer.bin beside " + model + "; pass --tokenizer PATH (a SentencePiece .model or llama2.c tokenizer.bin)"));
    }

    /**
     * Sequences for the session: one per sentence in flight plus the shared prefix's; one when
     * batching is off. An accelerator gets all of the batch (its memory refuses what does not fit,
     * naming the size); the CPU as many as half the free heap holds (each sequence's KV cache grows with
     * its positions and may reach the whole context), and one sequence when two would not fit.
     */
    static int sequences(int batch, LlamaConfig c, boolean onCpu) {
        if (batch == 1) return 1;
        if (!onCpu) return batch + 1;
        long perSequence = 2L * c.nLayers() * c.seqLen() * c.kvDim() * Float.BYTES;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long fits = free / 2 / Math.max(1, perSequence);
        return fits < 3 ? 1 : (int) Math.min(batch + 1, fits);
    }

    public Extractor extractor() {
        return extractor;
    }

    /**
     * Keeps the prompt prefix {@code file} holds for these weights in the decoder ({@link PromptCache}),
     * so that prompts beginning with it start past it; false when the file holds none for them (or
     * none at all), on a device, or with an adapter. Before any extraction.
     */
    public boolean restorePrefix(Path file) throws IOException {
        if (!cachesPrefixes()) return false;
        KvPrefix p = PromptCache.read(file, this::cacheKey);
        if (p == null || !extractor.keepPrefix(p)) return false;
        restored = p.tokens();
        return true;
    }

    /**
     * Saves the prompt prefix the decoder keeps now to {@code file} ({@link PromptCache}), unless it
     * is the one restored or saved already, none is kept, on a device, or with an adapter. After the
     * extractions.
     */
    public void savePrefix(Path file) throws IOException {
        if (!cachesPrefixes()) return;
        KvPrefix p = extractor.keptPrefix();
        if (p == null || Arrays.equals(p.tokens(), restored)) return;
        PromptCache.write(file, cacheKey(), p);
        restored = p.tokens();
    }

    /** Prompt caches hold the CPU session's floats of the plain weights: none on a device, none with an adapter. */
    private boolean cachesPrefixes() {
        return device == null && !adapted;
    }

    private String cacheKey() {
        if (cacheKey == null) cacheKey = PromptCache.key(weights);
        return cacheKey;
    }

    /** Where the sentences run, for a progress line: "cpu, 4 threads" or the device. */
    public String where() {
        return device == null ? "cpu, " + pool.threads() + " threads" : device.description();
    }

    @Override
    public void close() {
        if (device != null) device.close();
        pool.close();
        weights.close();
    }
}

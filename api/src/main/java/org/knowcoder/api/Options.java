package org.knowcoder.api;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.session.ModelLoader;

import java.nio.file.Path;

/**
 * How {@link KnowCoder#load(Path, Options)} runs a model. Start from {@link #defaults()} and change
 * what you need: {@code Options.defaults().withThreads(4).withQuantize("q4_0")}.
 *
 * @param tokenizer    SentencePiece {@code .model} or llama2.c {@code tokenizer.bin}; null: the one in (or beside) the model
 * @param device       "cpu" or "cuda" (the GPU backend, module cuda-kernels, must be on the class path)
 * @param quantize     quantize the weights at load time: "q8_0", "q4_0" or "q4_k"; null to keep them as stored
 * @param adapter      a PEFT LoRA adapter directory, applied unmerged (CPU only); null for none
 * @param threads      worker threads of the CPU
 * @param batch        prompts decoded together
 * @param maxNewTokens generated tokens per prompt at most
 * @param chunkTokens  tokens of text one prompt carries at most: a longer sentence is cut (also bounded by the context)
 * @param constrained  answers kept to well-formed code of the schema's classes quoting the text (constrained decoding)
 * @param clauses      a long sentence's entities asked clause by clause ({@link org.knowcoder.ie.prompt.Clauses})
 * @param consistency  each sentence's entities checked against its neighbours' in the same text ({@link org.knowcoder.ie.eval.NameConsistency})
 * @param promptCache  a file that keeps the prompts' shared prefix (the schema's class definitions) between runs: restored at
 *                     load when it was saved for the same weights, machine and build (else ignored), saved by
 *                     {@link KnowCoder#close} when the prefix changed; null for none
 */
public record Options(Path tokenizer, String device, String quantize, Path adapter, int threads, int batch, int maxNewTokens,
                      int chunkTokens, boolean constrained, boolean clauses, boolean consistency, Path promptCache) {
    public Options {
        if (!device.equals("cpu") && !device.equals("cuda")) throw new BadInputException("device " + device + ": expected cpu or cuda");
        ModelLoader.quantization(quantize); // refuses an unknown type here, before any loading
        if (threads < 1) throw new BadInputException("threads must be at least 1, got " + threads);
        if (batch < 1) throw new BadInputException("batch must be at least 1, got " + batch);
        if (maxNewTokens < 1) throw new BadInputException("the new-token limit must be at least 1, got " + maxNewTokens);
        if (chunkTokens < 1) throw new BadInputException("chunk tokens must be at least 1, got " + chunkTokens);
    }

    /** The CPU with all cores, 16 prompts decoded together, KnowCoder's 640 new tokens, chunks of at most 128 tokens, constrained, long sentences in clauses, names consistent across sentences. */
    public static Options defaults() {
        return new Options(null, "cpu", null, null, Runtime.getRuntime().availableProcessors(), 16, 640, 128, true, true, true, null);
    }

    public Options withTokenizer(Path tokenizer) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withDevice(String device) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withQuantize(String quantize) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withAdapter(Path adapter) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withThreads(int threads) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withBatch(int batch) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withMaxNewTokens(int maxNewTokens) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withChunkTokens(int chunkTokens) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withPromptCache(Path promptCache) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withConstrained(boolean constrained) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withClauses(boolean clauses) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }

    public Options withConsistency(boolean consistency) {
        return new Options(tokenizer, device, quantize, adapter, threads, batch, maxNewTokens, chunkTokens, constrained, clauses, consistency, promptCache);
    }
}

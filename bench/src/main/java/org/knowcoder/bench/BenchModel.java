package org.knowcoder.bench;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.GgufWriter;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.format.Llama2cWriter;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The random model the end-to-end run measures, exported once in the formats it compares and
 * cached on disk: a llama2.c version 0 F32 file, a llama2.c version 2 Q8_0 file, a BF16 Hugging
 * Face directory, and Q4_0 and Q4_K GGUF files. Random weights time exactly like trained ones and need no download. The writers
 * are atomic, so a file present under its final name is complete.
 */
record BenchModel(String name, LlamaConfig config, Path f32, Path q8, Path bf16, Path q40, Path q4k) {

    /** stories110M's shape: dim 768, hidden 2048, 12 layers, 12 heads, vocab 32000, context 1024. */
    static final LlamaConfig STORIES_110M = new LlamaConfig(768, 2048, 12, 12, 12, 32000, 1024, 1e-5f, 10000f);
    /** A model small enough to smoke-test the runner in seconds; rows of 256 and 768, whole Q4_K blocks. */
    static final LlamaConfig TINY = new LlamaConfig(256, 768, 2, 4, 4, 512, 1024, 1e-5f, 10000f);

    private static final long SEED = 110;

    /** The model's files in {@code dir}, writing any that are missing. */
    static BenchModel prepare(Path dir, boolean tiny) throws IOException {
        String name = tiny ? "tiny-random" : "stories110m-random";
        LlamaConfig config = tiny ? TINY : STORIES_110M;
        BenchModel m = new BenchModel(name, config, dir.resolve(name + "-f32.bin"), dir.resolve(name + "-q8_0.bin"),
                dir.resolve(name + "-bf16"), dir.resolve(name + "-q4_0.gguf"), dir.resolve(name + "-q4_k.gguf"));
        boolean hfComplete = Files.exists(m.bf16.resolve("model.safetensors")) && Files.exists(m.bf16.resolve("config.json"));
        if (Files.exists(m.f32) && Files.exists(m.q8) && hfComplete && Files.exists(m.q40) && Files.exists(m.q4k)) {
            System.err.println("using cached " + name + " checkpoints in " + dir);
            return m;
        }
        System.err.println("writing random " + name + " checkpoints to " + dir + " ...");
        try (LlamaWeights w = RandomWeights.create(config, true, SEED)) {
            if (!Files.exists(m.f32)) Llama2cWriter.writeVersion0(w, m.f32);
            if (!Files.exists(m.q8)) Llama2cWriter.writeVersion2(w, m.q8);
            if (!hfComplete) HuggingFaceWriter.write(w, m.bf16, DType.BF16);
            if (!Files.exists(m.q40)) GgufWriter.write(w, m.q40, DType.Q4_0, Map.of());
            if (!Files.exists(m.q4k)) GgufWriter.write(w, m.q4k, DType.Q4_K, Map.of());
        }
        return m;
    }

    /**
     * Writes (or finds) the random model's checkpoints, for runs elsewhere such as the GPU kit:
     * {@code BenchModel DIR [--tiny]}; prints the paths.
     */
    public static void main(String[] args) throws IOException {
        BenchModel m = prepare(Path.of(args[0]), args.length > 1 && args[1].equals("--tiny"));
        System.out.println(m.f32 + "\n" + m.q8 + "\n" + m.bf16 + "\n" + m.q40 + "\n" + m.q4k);
    }

    /** Bytes the session's KV cache takes: keys and values, every layer, the full context, F32. */
    long kvCacheBytes() {
        return kvCacheBytes(config);
    }

    /** Bytes the KV cache of a session of a model of config {@code c} takes (see {@link #kvCacheBytes()}). */
    static long kvCacheBytes(LlamaConfig c) {
        return 2L * c.nLayers() * c.seqLen() * c.kvDim() * Float.BYTES;
    }
}

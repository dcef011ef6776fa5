package org.knowcoder.bench;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.format.RandomHfCheckpoint;
import org.knowcoder.model.format.RandomHfCheckpoint.Container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The files {@link SevenB} measures, written once into its output directory and kept there: a random
 * model in Hugging Face's F16 safetensors shards and, in a directory of its own (where a directory
 * holds both, the loader takes the safetensors), the same tensors as {@code .bin} shards, both by
 * {@link RandomHfCheckpoint}; then GGUF copies of it by the CLI's {@code convert}, with a tokenizer's
 * vocabulary for llama.cpp. Before anything is written, the free space is checked against what is
 * missing, so a 7B run stops at once rather than after half an hour of writing.
 */
final class SevenBFiles {
    private SevenBFiles() {}

    /** The random model's seed: every run writes, and finds, the same model. */
    private static final long SEED = 7;
    /** Hugging Face's shard limit for LLaMA-2-7B (two shards, 9.98 and 3.5 GB): the first passes 4 GiB, so needs ZIP64. */
    static final long SHARD_BYTES = 10_000_000_000L;
    /** Room left over on the disk after everything is written, for whatever else runs. */
    private static final long SPARE_BYTES = 1L << 30;

    /** A file to measure: a Hugging Face directory (ggufDtype null) or a GGUF copy, which llama.cpp runs too. */
    record Target(String name, Path path, String ggufDtype) {}

    /**
     * The model's files in {@code dir}, writing any that are missing: the safetensors directory,
     * the .bin one when {@code bin}, and a GGUF copy in each of {@code gguf} (F16, Q8_0, Q4_0, Q4_K).
     */
    static List<Target> prepare(Path dir, String name, LlamaConfig c, boolean bin, List<String> gguf, Path jar, Path tokenizer)
            throws IOException, InterruptedException {
        List<Target> targets = new ArrayList<>();
        targets.add(new Target("F16_safetensors", dir.resolve(name + "-f16-safetensors"), null));
        if (bin) targets.add(new Target("F16_bin", dir.resolve(name + "-f16-bin"), null));
        for (String d : gguf) targets.add(new Target("GGUF_" + d, dir.resolve(name + "-" + d.toLowerCase(Locale.ROOT) + ".gguf"), d));
        checkSpace(dir, c, targets);
        for (Target t : targets) {
            if (t.ggufDtype() != null) {
                GgufCopies.of(jar, targets.getFirst().path(), t.path(), t.ggufDtype(), tokenizer);
            } else {
                Container container = t.name().endsWith("bin") ? Container.PYTORCH : Container.SAFETENSORS;
                System.err.println("the random " + name + " model's " + t.name() + " in " + t.path() + " (shards already there are kept) ...");
                RandomHfCheckpoint.write(t.path(), c, SEED, container, SHARD_BYTES, System.err::println);
            }
        }
        return targets;
    }

    /** Bytes of a file, or of all the files of a directory. */
    static long size(Path path) throws IOException {
        if (!Files.isDirectory(path)) return Files.size(path);
        try (Stream<Path> files = Files.list(path)) {
            long total = 0;
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().startsWith(".")) total += Files.size(f); // not an interrupted write's temporary
            }
            return total;
        }
    }

    /**
     * The weight bytes a decoded token reads from a GGUF file of type {@code dtype}: every matrix in
     * the file's blocks but the embedding (its one row read, a few KB, left out), the norms in F32. llama.cpp's own figure,
     * where ours is {@link SpeedRun#streamedBytes} of the model as loaded (Q8_0 and Q4 converted to
     * the engine's layout).
     */
    static long ggufStreamedBytes(LlamaConfig c, String dtype) {
        return (long) ((matrixValues(c) - (long) c.vocabSize() * c.dim()) * bytesPerValue(dtype)) + normValues(c) * Float.BYTES;
    }

    /** Bytes per matrix value in GGUF's blocks: F16 2, Q8_0 34 per 32, Q4_0 18 per 32, Q4_K 144 per 256. */
    private static double bytesPerValue(String dtype) {
        return switch (dtype) {
            case "F16" -> 2;
            case "Q8_0" -> 34.0 / 32;
            case "Q4_0" -> 18.0 / 32;
            case "Q4_K" -> 144.0 / 256;
            default -> throw new IllegalArgumentException("no GGUF size for " + dtype);
        };
    }

    /** Values in the matrices, embedding and separate classifier included. */
    private static long matrixValues(LlamaConfig c) {
        long d = c.dim(), perLayer = 2 * d * d + 2L * c.kvDim() * d + 3L * c.hiddenDim() * d;
        return 2L * c.vocabSize() * d + c.nLayers() * perLayer;
    }

    private static long normValues(LlamaConfig c) {
        return (2L * c.nLayers() + 1) * c.dim();
    }

    /** Fails, saying what to free or leave out, where the disk cannot take what is still to be written. */
    private static void checkSpace(Path dir, LlamaConfig c, List<Target> targets) throws IOException {
        long missing = 0;
        for (Target t : targets) {
            if (t.ggufDtype() != null) {
                if (!Files.exists(t.path())) missing += (long) (matrixValues(c) * bytesPerValue(t.ggufDtype())) + normValues(c) * Float.BYTES;
            } else if (!Files.exists(t.path().resolve(t.name().endsWith("bin") ? "pytorch_model.bin.index.json" : "model.safetensors.index.json"))) {
                // shards already there are complete (written atomically) and stay
                missing += (matrixValues(c) + normValues(c)) * 2 - (Files.isDirectory(t.path()) ? size(t.path()) : 0);
            }
        }
        Path existing = dir.toAbsolutePath();
        while (!Files.exists(existing)) existing = existing.getParent();
        long free = Files.getFileStore(existing).getUsableSpace();
        if (missing + SPARE_BYTES > free) {
            throw new BadInputException(String.format(Locale.ROOT, "the files still to write in %s take about %.1f GB, and %.1f GB is free"
                    + " (1 GB kept spare); free some, or leave files out (--no-bin, fewer --gguf types)", dir, missing / 1e9, free / 1e9));
        }
        if (missing > 0) System.err.printf(Locale.ROOT, "about %.1f GB to write in %s (%.1f GB free)%n", missing / 1e9, dir, free / 1e9);
    }
}

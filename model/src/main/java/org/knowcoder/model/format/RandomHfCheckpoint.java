package org.knowcoder.model.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicWrite;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A random LLaMA checkpoint in Hugging Face's layout, written a row at a time, so that a model of
 * any size passes through a row of memory (a 7B one is 13.5 GB in F16): config.json and F16
 * tensors, in one of Hugging Face's two containers, sharded as Hugging Face shards (tensors in
 * order, a new shard where the next tensor would pass the limit) with the index naming each
 * tensor's shard.
 *
 * <p>Values are drawn as {@link RandomWeights} draws them (matrices N(0, 0.02), norms uniform in
 * [0.8, 1.2]), so activations stay finite and F16 holds every value without overflow. Each tensor
 * draws from a seed of its own, derived from the model's, so the two containers hold the same values
 * whichever is written, in whatever order. The classifier is separate from the embedding, as
 * LLaMA-2's is.
 *
 * <p>Every file is written atomically, the index last: a shard present under its final name is
 * complete and is kept, so a run that was cut off resumes where it stopped. A directory whose
 * config.json describes another model is refused rather than mixed.
 */
public final class RandomHfCheckpoint {
    private RandomHfCheckpoint() {}

    private static final DType DTYPE = DType.F16;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Hugging Face's two containers, by their shards' names and their index's. */
    public enum Container {
        SAFETENSORS("model", ".safetensors", "model.safetensors.index.json"),
        PYTORCH("pytorch_model", ".bin", "pytorch_model.bin.index.json");

        private final String stem, extension, index;

        Container(String stem, String extension, String index) {
            this.stem = stem;
            this.extension = extension;
            this.index = index;
        }

        /** Shard {@code k} (from 1) of {@code n}: model-00001-of-00002.safetensors, pytorch_model-00001-of-00002.bin. */
        String shard(int k, int n) {
            return String.format("%s-%05d-of-%05d%s", stem, k, n, extension);
        }

        void write(Path file, List<StreamedTensor> tensors) throws IOException {
            if (this == SAFETENSORS) SafetensorsWriter.write(file, tensors, DTYPE);
            else TorchSaveWriter.write(file, tensors, DTYPE);
        }
    }

    /**
     * Writes (or completes) the checkpoint of config {@code c} and {@code seed} in {@code dir}, no
     * shard larger than {@code maxShardBytes} unless one tensor is; {@code progress} hears of each
     * file as it is written.
     */
    public static void write(Path dir, LlamaConfig c, long seed, Container container, long maxShardBytes, Consumer<String> progress)
            throws IOException {
        if (maxShardBytes < 1) throw new IllegalArgumentException("a shard limit of " + maxShardBytes + " bytes");
        Path index = dir.resolve(container.index);
        byte[] drawn = JSON.writeValueAsBytes(JSON.createObjectNode().put("seed", seed).put("max_shard_bytes", maxShardBytes));
        if (Files.exists(index)) {
            checkSameModel(dir, c, drawn);
            return;
        }
        List<StreamedTensor> tensors = tensors(c, seed);
        List<List<StreamedTensor>> shards = shards(tensors, maxShardBytes);
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve("config.json"))) {
            checkSameModel(dir, c, drawn);
        } else {
            AtomicWrite.write(dir.resolve(DRAWN), drawn); // before any shard, so that a resumed run can check it continues this one
            HuggingFaceWriter.writeConfig(dir, c, false, DTYPE);
        }
        ObjectNode root = JSON.createObjectNode();
        root.putObject("metadata").put("total_size", bytes(tensors));
        ObjectNode weightMap = root.putObject("weight_map");
        for (int k = 0; k < shards.size(); k++) {
            String name = container.shard(k + 1, shards.size());
            Path file = dir.resolve(name);
            if (!Files.exists(file)) {
                container.write(file, shards.get(k));
                progress.accept("wrote " + file);
            }
            for (StreamedTensor t : shards.get(k)) weightMap.put(t.name(), name);
        }
        AtomicWrite.write(index, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /** The model's tensors in Hugging Face's order, each drawing its values from its own seed. */
    private static List<StreamedTensor> tensors(LlamaConfig c, long seed) {
        List<HfLayout.Part> parts = HfLayout.parts(c, false);
        long[] seeds = new SplittableRandom(seed).longs(parts.size()).toArray();
        List<StreamedTensor> tensors = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            HfLayout.Part p = parts.get(i);
            long own = seeds[i];
            tensors.add(new StreamedTensor(p.name(), p.shape(), p.shape().length == 1
                    ? out -> out.floats(RandomWeights.norm((int) p.shape()[0], new SplittableRandom(own)), DTYPE)
                    : out -> {
                        SplittableRandom rng = new SplittableRandom(own);
                        float[] row = new float[Math.toIntExact(p.shape()[1])];
                        for (long r = 0; r < p.shape()[0]; r++) {
                            RandomWeights.gaussianRow(rng, row);
                            out.floats(row, DTYPE);
                        }
                    }));
        }
        return tensors;
    }

    /** Hugging Face's split: tensors in order, a new shard where the next one would take the current past the limit. */
    private static List<List<StreamedTensor>> shards(List<StreamedTensor> tensors, long maxShardBytes) {
        List<List<StreamedTensor>> shards = new ArrayList<>();
        List<StreamedTensor> current = new ArrayList<>();
        long size = 0;
        for (StreamedTensor t : tensors) {
            long b = t.numel() * DTYPE.bytes;
            if (!current.isEmpty() && size + b > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += b;
        }
        shards.add(current);
        return shards;
    }

    private static long bytes(List<StreamedTensor> tensors) {
        return tensors.stream().mapToLong(t -> t.numel() * DTYPE.bytes).sum();
    }

    /** Refuses a directory that already holds another model: its shards would be mixed with this one's. */
    /** Where the seed and shard limit of the shards in a directory are recorded. */
    private static final String DRAWN = "random-checkpoint.json";

    private static void checkSameModel(Path dir, LlamaConfig c, byte[] drawn) throws IOException {
        Path config = dir.resolve("config.json"), record = dir.resolve(DRAWN);
        LlamaConfig there = Files.exists(config) ? HuggingFaceCheckpoint.readConfig(config).config() : null;
        if (!c.equals(there)) {
            throw new BadInputException(dir + " holds " + (there == null ? "no config.json" : "a model of " + there)
                    + ", not the random model of " + c + " to be written there; delete it or write elsewhere");
        }
        if (!Files.exists(record) || !JSON.readTree(Files.readAllBytes(record)).equals(JSON.readTree(drawn))) {
            throw new BadInputException(dir + " holds shards drawn " + (Files.exists(record) ? "with " + Files.readString(record)
                    : "with no " + DRAWN) + ", not with " + new String(drawn, StandardCharsets.UTF_8)
                    + "; delete it or write elsewhere");
        }
    }
}

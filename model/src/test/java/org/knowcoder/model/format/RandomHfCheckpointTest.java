package org.knowcoder.model.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.RandomHfCheckpoint.Container;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.testing.TestPool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streamed random checkpoint in both of Hugging Face's containers: sharded, loaded by the
 * engine's own reader, the same tensors in both, values as RandomWeights draws them, and a
 * second run keeping what the first wrote.
 */
class RandomHfCheckpointTest {
    /** Grouped-query attention and an untied classifier, as small as a test wants. */
    private static final LlamaConfig CONFIG = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
    /** Small enough that the model takes several shards (it holds 173 KB of F16 values). */
    private static final long SHARD = 30_000;

    @TempDir
    Path dir;

    private Path write(Container container) throws IOException {
        Path out = dir.resolve(container.name());
        RandomHfCheckpoint.write(out, CONFIG, 5, container, SHARD, message -> {});
        return out;
    }

    /** The shard files in {@code dir}, by name. */
    private static List<Path> shards(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("(model|pytorch_model)-\\d{5}-of-\\d{5}\\..*")).sorted().toList();
        }
    }

    /** Every matrix and norm of the model, in a fixed order. */
    private static List<float[]> values(LlamaWeights w) {
        List<float[]> all = new ArrayList<>(List.of(w.tokenEmbedding().toFloats(), w.classifier().toFloats(), w.finalNorm()));
        for (LlamaWeights.Layer l : w.layers()) {
            all.add(l.attentionNorm());
            all.add(l.ffnNorm());
            for (Tensor t : List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.w1(), l.w2(), l.w3())) all.add(t.toFloats());
        }
        return all;
    }

    @Test
    void bothContainersLoadAndHoldTheSameTensors() throws IOException {
        Path safetensors = write(Container.SAFETENSORS), pytorch = write(Container.PYTORCH);
        assertTrue(shards(pytorch).size() > 2, "several shards");
        assertEquals(shards(pytorch).size(), shards(safetensors).size());
        assertTrue(Files.exists(safetensors.resolve("model.safetensors.index.json")));
        try (LlamaWeights a = Checkpoints.load(safetensors); LlamaWeights b = Checkpoints.load(pytorch)) {
            assertEquals(CONFIG, a.config());
            assertEquals(CONFIG, b.config());
            assertFalse(a.sharedClassifier());
            assertEquals(DType.F16, a.tokenEmbedding().dtype());
            assertEquals(DType.F16, b.layer(1).w2().dtype());
            List<float[]> va = values(a), vb = values(b);
            for (int i = 0; i < va.size(); i++) assertArrayEquals(va.get(i), vb.get(i), "tensor " + i);
            double sq = 0;
            for (float v : va.get(0)) sq += v * v;
            assertEquals(0.02, Math.sqrt(sq / va.get(0).length), 0.002, "the embedding's spread");
            for (float v : a.layer(0).ffnNorm()) assertTrue(v >= 0.79f && v <= 1.21f, "a norm weight of " + v);
            assertFalse(java.util.Arrays.equals(va.get(3), va.get(4)), "each norm draws from its own seed");
            float[] logits = new LlamaSession(a, TestPool.TWO_THREADS).forward(1, 0);
            for (float v : logits) assertTrue(Float.isFinite(v));
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count(), "temporary files left behind");
        }
    }

    @Test
    void aSecondRunKeepsWhatTheFirstWrote() throws IOException {
        Path out = write(Container.PYTORCH);
        Map<Path, FileTime> before = new HashMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, FileTime.fromMillis(0));
                before.put(f, FileTime.fromMillis(0));
            }
        }
        // cut off before the index: the missing shard is written, the others kept
        Files.delete(out.resolve("pytorch_model.bin.index.json"));
        Path third = shards(out).get(2);
        Files.delete(third);
        write(Container.PYTORCH);
        for (Map.Entry<Path, FileTime> e : before.entrySet()) {
            if (e.getKey().equals(third) || e.getKey().endsWith("pytorch_model.bin.index.json")) assertTrue(Files.exists(e.getKey()));
            else assertEquals(e.getValue(), Files.getLastModifiedTime(e.getKey()), e.getKey() + " was written again");
        }
        Path fresh = dir.resolve("fresh");
        RandomHfCheckpoint.write(fresh, CONFIG, 5, Container.PYTORCH, SHARD, message -> {});
        assertArrayEquals(Files.readAllBytes(fresh.resolve(third.getFileName())), Files.readAllBytes(third));
    }

    @Test
    void anotherModelsDirectoryIsRefused() throws IOException {
        Path out = write(Container.SAFETENSORS);
        LlamaConfig other = new LlamaConfig(64, 128, 3, 4, 2, 96, 32, 1e-5f, 10000f);
        BadInputException e = assertThrows(BadInputException.class,
                () -> RandomHfCheckpoint.write(out, other, 5, Container.SAFETENSORS, SHARD, message -> {}));
        assertTrue(e.getMessage().contains("delete it or write elsewhere"), e.getMessage());
    }

    /** A resumed run must be the run it continues: shards drawn from another seed or cut at another limit are not mixed in. */
    @Test
    void shardsOfAnotherSeedOrLimitAreRefused() throws IOException {
        Path out = write(Container.PYTORCH);
        Files.delete(out.resolve("pytorch_model.bin.index.json")); // as if cut off
        for (long[] seedAndLimit : new long[][] {{6, SHARD}, {5, SHARD + 1}}) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> RandomHfCheckpoint.write(out, CONFIG, seedAndLimit[0], Container.PYTORCH, seedAndLimit[1], message -> {}));
            assertTrue(e.getMessage().contains("\"seed\":5"), e.getMessage());
        }
        write(Container.PYTORCH); // the same run completes
    }
}

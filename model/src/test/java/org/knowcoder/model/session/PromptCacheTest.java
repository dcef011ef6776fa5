package org.knowcoder.model.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.SafetensorsWriter;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.testing.TestPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prompt prefix's keys and values saved, read back and restored: the floats and the answers of a prefix computed in place. */
class PromptCacheTest {
    @TempDir
    Path dir;

    /** 70 tokens: more than a vector of positions, so keys span several tiles and end inside one. */
    private static final int[] PREFIX = IntStream.range(0, 70).map(i -> i == 0 ? 1 : 3 + (i * 37) % 500).toArray();

    private static int[] withTail(int... tail) {
        int[] prompt = Arrays.copyOf(PREFIX, PREFIX.length + tail.length);
        System.arraycopy(tail, 0, prompt, PREFIX.length, tail.length);
        return prompt;
    }

    @Test
    void aRestoredPrefixGivesTheLogitsOfTheComputedOne() throws Exception {
        try (LlamaWeights w = RandomModels.stories()) {
            LlamaSession computed = new LlamaSession(w, TestPool.TWO_THREADS, 2);
            computed.prefill(0, PREFIX, 0);
            KvPrefix p = computed.prefix(0, PREFIX);
            Path file = dir.resolve("prompt.kv");
            PromptCache.write(file, "the key", p);
            KvPrefix back = PromptCache.read(file, () -> "the key");
            assertArrayEquals(p.tokens(), back.tokens());
            for (int l = 0; l < p.layers(); l++) {
                assertArrayEquals(p.keys()[l], back.keys()[l]);
                assertArrayEquals(p.values()[l], back.values()[l]);
            }

            LlamaSession restored = new LlamaSession(w, TestPool.TWO_THREADS, 2);
            assertTrue(restored.restore(0, back));
            assertArrayEquals(p.keys()[2], restored.prefix(0, PREFIX).keys()[2], "the keys read back as stored");
            int[] tail = {403, 407, 261, 378};
            computed.copyPrefix(0, 1, PREFIX.length);
            restored.copyPrefix(0, 1, PREFIX.length);
            float[] expected = computed.prefill(1, tail, PREFIX.length).clone();
            assertArrayEquals(expected, restored.prefill(1, tail, PREFIX.length), "logits after the restored prefix");
        }
    }

    @Test
    void thePrefixIsTheSameOnAnyNumberOfThreads() {
        try (LlamaWeights w = RandomModels.stories(); WorkerPool one = new WorkerPool(1)) {
            LlamaSession a = new LlamaSession(w, one), b = new LlamaSession(w, TestPool.TWO_THREADS);
            a.prefill(PREFIX, 0);
            b.prefill(PREFIX, 0);
            KvPrefix pa = a.prefix(0, PREFIX), pb = b.prefix(0, PREFIX);
            for (int l = 0; l < pa.layers(); l++) {
                assertArrayEquals(pa.keys()[l], pb.keys()[l], "so the cache's key need not name the threads");
                assertArrayEquals(pa.values()[l], pb.values()[l]);
            }
        }
    }

    @Test
    void aDecoderGivenAKeptPrefixComputesOnlyTheTails() throws Exception {
        try (LlamaWeights w = RandomModels.stories()) {
            BatchDecoder first = new BatchDecoder(new LlamaSession(w, TestPool.TWO_THREADS, 3), true);
            first.run(List.of(new GreedyRequest(withTail(403, 407, 261), 5), new GreedyRequest(withTail(327, 280), 5)), r -> {});
            KvPrefix kept = first.kept();
            assertArrayEquals(Arrays.copyOf(withTail(403), PREFIX.length), kept.tokens(), "the prompts' shared part");

            GreedyRequest alone = new GreedyRequest(withTail(395, 347, 262), 8), resumed = new GreedyRequest(withTail(395, 347, 262), 8);
            new BatchDecoder(new LlamaSession(w, TestPool.TWO_THREADS, 3), true).run(List.of(alone), r -> {});
            BatchDecoder second = new BatchDecoder(new LlamaSession(w, TestPool.TWO_THREADS, 3), true);
            assertTrue(second.keep(kept));
            second.run(List.of(resumed), r -> {});
            assertEquals(alone.tokens, resumed.tokens);
            assertEquals(3, second.stats().prefilledTokens(), "only the tail is prefilled");
        }
    }

    @Test
    void aFileOfAnotherKeyOrNoneGivesNothing() throws Exception {
        try (LlamaWeights w = RandomModels.stories()) {
            LlamaSession s = new LlamaSession(w, TestPool.TWO_THREADS);
            s.prefill(PREFIX, 0);
            Path file = dir.resolve("prompt.kv");
            PromptCache.write(file, "these weights", s.prefix(0, PREFIX));
            assertNull(PromptCache.read(file, () -> "other weights"));
            assertNull(PromptCache.read(dir.resolve("absent.kv"), () -> "these weights"));
        }
    }

    @Test
    void theKeyNamesTheWeights() {
        LlamaConfig c = new LlamaConfig(64, 172, 2, 8, 4, 512, 512, 1e-5f, 10000f);
        try (LlamaWeights a = RandomWeights.create(c, true, 13); LlamaWeights same = RandomWeights.create(c, true, 13);
             LlamaWeights other = RandomWeights.create(c, true, 14)) {
            assertEquals(PromptCache.key(a), PromptCache.key(same));
            assertNotEquals(PromptCache.key(a), PromptCache.key(other));
            assertNotEquals(a.checksum(), a.quantize(org.knowcoder.tensor.DType.Q8_0).checksum(), "quantized weights compute otherwise");
        }
    }

    @Test
    void aFileThatIsNotOneIsBadInputNamingIt() throws Exception {
        Path text = dir.resolve("notes.kv");
        Files.writeString(text, "hello, world");
        BadInputException e = assertThrows(BadInputException.class, () -> PromptCache.read(text, () -> "k"));
        assertTrue(e.getMessage().startsWith(text + " is not a KnowCoder prompt cache"), e.getMessage());

        Path model = dir.resolve("model.safetensors"); // a save would overwrite it
        SafetensorsWriter.writeF32(model, List.of(new SafetensorsWriter.Entry("w", new long[] {2}, new float[] {1, 2})));
        e = assertThrows(BadInputException.class, () -> PromptCache.read(model, () -> {
            throw new AssertionError("a foreign file's key is never asked for (it checksums the weights)");
        }));
        assertTrue(e.getMessage().contains("has no " + PromptCache.KEY), e.getMessage());

        try (LlamaWeights w = RandomModels.stories()) {
            LlamaSession s = new LlamaSession(w, TestPool.TWO_THREADS);
            s.prefill(PREFIX, 0);
            Path cut = dir.resolve("cut.kv");
            PromptCache.write(cut, "k", s.prefix(0, PREFIX));
            byte[] whole = Files.readAllBytes(cut);
            Files.write(cut, Arrays.copyOf(whole, whole.length - 4));
            e = assertThrows(BadInputException.class, () -> PromptCache.read(cut, () -> "k"));
            assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        }
    }
}

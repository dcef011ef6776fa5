package org.knowcoder.model.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.testing.TestPool;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.testing.SharedFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * Written checkpoints, read back, must compute what the source model computes. The model is small
 * but has grouped-query attention (4 heads, 2 kv heads) so the q and k RoPE row permutations are
 * checked separately, and several positions so RoPE actually rotates.
 */
class CheckpointWritersTest {
    private static final LlamaConfig CONFIG = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
    private static final int[] TOKENS = {1, 17, 42, 5, 88, 3, 60};

    private static final WorkerPool pool = TestPool.TWO_THREADS;

    @TempDir
    Path dir;

    /** Logits after each of TOKENS, fed one at a time, then those of a batched prefill. */
    private static float[][] logits(LlamaWeights w) {
        LlamaSession s = new LlamaSession(w, pool);
        float[][] out = new float[TOKENS.length + 1][];
        for (int pos = 0; pos < TOKENS.length; pos++) out[pos] = s.forward(TOKENS[pos], pos).clone();
        out[TOKENS.length] = s.prefill(TOKENS, 0).clone();
        return out;
    }

    /** Same shape, same classifier sharing, and logits within relTol of the largest. */
    private static void assertSameModel(LlamaWeights expected, LlamaWeights actual, double relTol, String what) {
        assertEquals(expected.sharedClassifier(), actual.sharedClassifier(), what);
        assertEquals(expected.config(), actual.config(), what);
        assertClose(logits(expected), logits(actual), relTol, what);
    }

    /** Every logit within relTol of the largest reference logit. */
    private static void assertClose(float[][] expected, float[][] actual, double relTol, String what) {
        double scale = 0;
        for (float[] row : expected) {
            for (float e : row) scale = Math.max(scale, Math.abs(e));
        }
        assertTrue(scale > 0, "reference logits are all zero");
        for (int p = 0; p < expected.length; p++) assertArraysClose(expected[p], actual[p], relTol * scale, 0, what + ", position " + p);
    }

    /** Floats of a version 0 file of CONFIG from the embedding to the final norm, before the RoPE tables. */
    private static long version0WeightFloats() {
        long d = CONFIG.dim(), hd = CONFIG.hiddenDim(), kv = CONFIG.kvDim(), layers = CONFIG.nLayers(), vocab = CONFIG.vocabSize();
        return vocab * d + layers * (2 * d + 2 * d * d + 2 * kv * d + 3 * hd * d) + d;
    }

    private void assertNoTempFiles(Path where) throws IOException {
        try (Stream<Path> files = Files.list(where)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temporary file left in " + where);
        }
    }

    /** Versions 0 (28-byte header, legacy RoPE tables) and 1 (256-byte header), with and without a shared classifier. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void f32RoundTripIsExact(int version) throws IOException {
        for (boolean shared : new boolean[] {true, false}) {
            try (LlamaWeights src = RandomWeights.create(CONFIG, shared, 7)) {
                Path file = dir.resolve("v" + version + "-" + shared + ".bin");
                if (version == 0) Llama2cWriter.writeVersion0(src, file);
                else Llama2cWriter.writeVersion1(src, file);
                long tables = version == 0 ? 2L * CONFIG.seqLen() * CONFIG.headDim() / 2 : 0;
                long classifier = shared ? 0 : (long) CONFIG.vocabSize() * CONFIG.dim();
                assertEquals((version == 0 ? 28 : 256) + 4 * (version0WeightFloats() + tables + classifier), Files.size(file));
                try (LlamaWeights back = Llama2cCheckpoint.load(file)) {
                    assertSameModel(src, back, 1e-6, "v" + version + " shared=" + shared);
                }
            }
        }
        assertNoTempFiles(dir);
    }

    /** llama2.c's own version 1 export of the fixture model, byte for byte. */
    @Test
    void version1IsLlama2csExport() throws IOException {
        Path fixture = SharedFiles.fixture("models/llama-tiny-gqa");
        try (LlamaWeights w = Llama2cCheckpoint.load(fixture.resolve("model.bin"))) {
            Path file = dir.resolve("v1.bin");
            Llama2cWriter.writeVersion1(w, file);
            assertArrayEquals(Files.readAllBytes(fixture.resolve("model-v1.bin")), Files.readAllBytes(file));
        }
    }

    @Test
    void version0LegacyRopeTablesHoldCosAndSin() throws IOException {
        try (LlamaWeights src = RandomWeights.create(CONFIG, true, 3)) {
            Path file = dir.resolve("v0.bin");
            Llama2cWriter.writeVersion0(src, file);
            long tables = 28 + 4 * version0WeightFloats();
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            int half = 8, pos = 5, i = 3;
            double angle = pos * Math.pow(10000, -2.0 * i / 16);
            assertEquals(Math.cos(angle), b.getFloat((int) tables + 4 * (pos * half + i)), 1e-5);
            assertEquals(Math.sin(angle), b.getFloat((int) tables + 4 * (32 * half + pos * half + i)), 1e-5);
        }
    }

    @Test
    void version2MatchesInMemoryQuantization() throws IOException {
        for (boolean shared : new boolean[] {true, false}) {
            try (LlamaWeights src = RandomWeights.create(CONFIG, shared, 11); LlamaWeights q8 = src.quantize(DType.Q8_0)) {
                Path file = dir.resolve("v2-" + shared + ".bin");
                Llama2cWriter.writeVersion2(src, file);
                try (LlamaWeights back = Llama2cCheckpoint.load(file)) {
                    assertEquals(DType.Q8_0, back.dtype());
                    assertEquals(64, back.layer(0).wq().groupSize());
                    assertEquals(shared, back.sharedClassifier());
                    float[][] quantized = logits(back);
                    assertClose(logits(q8), quantized, 1e-6, "v2 vs in-memory Q8_0");
                    assertClose(logits(src), quantized, 0.05, "v2 vs F32");
                }
                // Already-Q8_0 weights are copied, not requantized: writing the loaded file again gives the same bytes.
                Path again = dir.resolve("v2-again.bin");
                try (LlamaWeights back = Llama2cCheckpoint.load(file)) {
                    Llama2cWriter.writeVersion2(back, again);
                }
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
            }
        }
        assertNoTempFiles(dir);
    }

    @Test
    void huggingFaceF32RoundTripPermutesRopeRows() throws IOException {
        for (boolean shared : new boolean[] {true, false}) {
            try (LlamaWeights src = RandomWeights.create(CONFIG, shared, 5)) {
                Path hf = dir.resolve("hf-" + shared);
                HuggingFaceWriter.write(src, hf, DType.F32);
                try (LlamaWeights back = HuggingFaceCheckpoint.load(hf)) {
                    assertTrue(back.rotateHalfLayout());
                    assertSameModel(src, back, 1e-5, "HF F32 shared=" + shared);
                }
                assertNoTempFiles(hf);
            }
        }
    }

    @Test
    void huggingFaceBf16RoundTrip() throws IOException {
        try (LlamaWeights src = RandomWeights.create(CONFIG, false, 9)) {
            Path hf = dir.resolve("hf-bf16");
            HuggingFaceWriter.write(src, hf, DType.BF16);
            try (LlamaWeights back = HuggingFaceCheckpoint.load(hf)) {
                assertEquals(DType.BF16, back.dtype());
                assertEquals(DType.BF16, back.classifier().dtype());
                assertClose(logits(src), logits(back), 0.02, "HF BF16");
                // Hugging Face BF16 to llama2.c F32 is exact (BF16 widens exactly), q/k rows permuted back.
                Path bin = dir.resolve("from-hf.bin");
                Llama2cWriter.writeVersion0(back, bin);
                try (LlamaWeights v0 = Llama2cCheckpoint.load(bin)) {
                    assertClose(logits(back), logits(v0), 1e-5, "HF BF16 -> v0");
                }
            }
        }
    }

    @Test
    void huggingFaceToLlama2cPermutesRowsBack() throws IOException {
        try (LlamaWeights src = RandomWeights.create(CONFIG, true, 13)) {
            Path hf = dir.resolve("hf");
            HuggingFaceWriter.write(src, hf, DType.F32);
            try (LlamaWeights fromHf = HuggingFaceCheckpoint.load(hf)) {
                Path v0 = dir.resolve("v0.bin"), v2 = dir.resolve("v2.bin");
                Llama2cWriter.writeVersion0(fromHf, v0);
                Llama2cWriter.writeVersion2(fromHf, v2);
                try (LlamaWeights a = Llama2cCheckpoint.load(v0); LlamaWeights b = Llama2cCheckpoint.load(v2);
                     LlamaWeights q8 = src.quantize(DType.Q8_0)) {
                    assertFalse(a.rotateHalfLayout());
                    assertClose(logits(src), logits(a), 1e-6, "random -> HF -> v0");
                    assertClose(logits(q8), logits(b), 1e-6, "random -> HF -> v2");
                    // the q/k rows are back in the original order, bit for bit
                    assertArrayEquals(src.layer(1).wk().toFloats(), a.layer(1).wk().toFloats());
                    assertArrayEquals(src.layer(0).wq().toFloats(), a.layer(0).wq().toFloats());
                }
            }
        }
    }

    @Test
    void safetensorsHeaderAndConfigAreWellFormed() throws IOException {
        try (LlamaWeights src = RandomWeights.create(CONFIG, true, 1)) {
            Path hf = dir.resolve("hf");
            HuggingFaceWriter.write(src, hf, DType.BF16);
            byte[] file = Files.readAllBytes(hf.resolve("model.safetensors"));
            long headerLen = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, headerLen % 8, "header length is not a multiple of 8");
            JsonNode header = new ObjectMapper().readTree(new String(file, 8, (int) headerLen, "UTF-8"));
            assertEquals("pt", header.path("__metadata__").path("format").asText());
            long expectedStart = 0;
            int count = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                count++;
                assertEquals("BF16", e.getValue().path("dtype").asText());
                long numel = 1;
                for (JsonNode d : e.getValue().path("shape")) numel *= d.asLong();
                assertEquals(expectedStart, e.getValue().path("data_offsets").get(0).asLong(), e.getKey());
                expectedStart += numel * 2;
                assertEquals(expectedStart, e.getValue().path("data_offsets").get(1).asLong(), e.getKey());
            }
            assertEquals(1 + 2 * 9 + 1, count); // embedding, 9 per layer, final norm, no lm_head (tied)
            assertEquals(8 + headerLen + expectedStart, file.length);
            assertTrue(header.has("model.layers.1.mlp.down_proj.weight"));
            assertFalse(header.has("lm_head.weight"));

            JsonNode cfg = new ObjectMapper().readTree(hf.resolve("config.json").toFile());
            assertEquals("LlamaForCausalLM", cfg.path("architectures").get(0).asText());
            assertEquals("llama", cfg.path("model_type").asText());
            assertEquals("silu", cfg.path("hidden_act").asText());
            assertEquals("bfloat16", cfg.path("torch_dtype").asText());
            assertEquals(64, cfg.path("hidden_size").asInt());
            assertEquals(128, cfg.path("intermediate_size").asInt());
            assertEquals(2, cfg.path("num_key_value_heads").asInt());
            assertEquals(32, cfg.path("max_position_embeddings").asInt());
            assertEquals(1e-5, cfg.path("rms_norm_eps").asDouble(), 0);
            assertEquals(10000.0, cfg.path("rope_theta").asDouble(), 0);
            assertTrue(cfg.path("tie_word_embeddings").asBoolean());
            assertEquals(1, cfg.path("bos_token_id").asInt());
            assertEquals(2, cfg.path("eos_token_id").asInt());
        }
    }

    @Test
    void writingReplacesAnExistingFileAtomically() throws IOException {
        Path file = dir.resolve("model.bin");
        Files.writeString(file, "old contents");
        try (LlamaWeights src = RandomWeights.create(CONFIG, true, 2)) {
            Llama2cWriter.writeVersion0(src, file);
            try (LlamaWeights back = Llama2cCheckpoint.load(file)) {
                assertClose(logits(src), logits(back), 1e-6, "overwritten v0");
            }
        }
        assertNoTempFiles(dir);
    }

    @Test
    void randomMatricesInEveryDtypeDrawTheSameValues() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            float[] f32 = RandomWeights.matrix("m", DType.F32, 8, 64, 3, arena).toFloats();
            for (DType t : new DType[] {DType.BF16, DType.F16, DType.Q8_0}) {
                org.knowcoder.tensor.Tensor m = RandomWeights.matrix("m", t, 8, 64, 3, arena);
                assertEquals(t, m.dtype());
                float[] v = m.toFloats();
                for (int i = 0; i < v.length; i++) assertEquals(f32[i], v[i], 0.01 * 0.02 * 4, t + " element " + i);
            }
        }
    }

    @Test
    void randomWeightsAreReproducible() {
        try (LlamaWeights a = RandomWeights.create(CONFIG, true, 42); LlamaWeights b = RandomWeights.create(CONFIG, true, 42);
             LlamaWeights c = RandomWeights.create(CONFIG, true, 43)) {
            assertArrayEquals(a.layer(1).w2().toFloats(), b.layer(1).w2().toFloats());
            assertArrayEquals(a.finalNorm(), b.finalNorm());
            assertFalse(java.util.Arrays.equals(a.layer(1).w2().toFloats(), c.layer(1).w2().toFloats()));
            float[] w = a.tokenEmbedding().toFloats();
            double sq = 0;
            for (float v : w) sq += v * v;
            assertEquals(0.02, Math.sqrt(sq / w.length), 0.002);
        }
    }
}

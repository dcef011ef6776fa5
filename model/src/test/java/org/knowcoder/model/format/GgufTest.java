package org.knowcoder.model.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.knowcoder.io.BadInputException;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q4Quantizer;
import org.knowcoder.tensor.kernels.Q8Quantizer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our GGUF writer read back by our reader, and files it must refuse. */
class GgufTest {
    /** Rows of 64 and 128: whole Q8_0 blocks of 32; 4 heads / 2 kv heads so q and k are permuted apart. */
    private static final LlamaConfig CONFIG = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
    /** Rows of 256 and 512: whole Q4_K super-blocks. */
    private static final LlamaConfig WIDE = new LlamaConfig(256, 512, 1, 4, 2, 40, 32, 1e-5f, 10000f);

    private static LlamaConfig configFor(DType dtype) {
        return dtype == DType.Q4_K ? WIDE : CONFIG;
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(DType.class)
    void writtenTensorsReadBackIdentical(DType dtype) throws IOException {
        Path file = dir.resolve("m.gguf");
        try (LlamaWeights w = RandomWeights.create(configFor(dtype), false, 7); Arena arena = Arena.ofConfined()) {
            GgufWriter.write(w, file, dtype, Map.of());
            try (LlamaWeights r = Checkpoints.load(file)) {
                assertEquals(w.config(), r.config());
                assertFalse(r.rotateHalfLayout());
                assertFalse(r.sharedClassifier());
                for (int l = 0; l < w.config().nLayers(); l++) {
                    assertArrayEquals(w.layer(l).attentionNorm(), r.layer(l).attentionNorm());
                    assertArrayEquals(w.layer(l).ffnNorm(), r.layer(l).ffnNorm());
                    List<Tensor> a = List.of(w.layer(l).wq(), w.layer(l).wk(), w.layer(l).wv(), w.layer(l).wo(),
                            w.layer(l).w1(), w.layer(l).w2(), w.layer(l).w3());
                    List<Tensor> b = List.of(r.layer(l).wq(), r.layer(l).wk(), r.layer(l).wv(), r.layer(l).wo(),
                            r.layer(l).w1(), r.layer(l).w2(), r.layer(l).w3());
                    for (int m = 0; m < a.size(); m++) assertStored(a.get(m), b.get(m), dtype, arena);
                }
                assertStored(w.tokenEmbedding(), r.tokenEmbedding(), dtype, arena);
                assertStored(w.classifier(), r.classifier(), dtype, arena);
                assertArrayEquals(w.finalNorm(), r.finalNorm());
            }
        }
    }

    /** {@code read} holds exactly {@code source} encoded as {@code dtype}. */
    private static void assertStored(Tensor source, Tensor read, DType dtype, Arena arena) {
        assertEquals(dtype, read.dtype(), read.name());
        assertArrayEquals(source.shape(), read.shape(), read.name());
        if (dtype == DType.Q8_0) {
            Tensor want = Q8Quantizer.quantize(source, 32, true, arena);
            assertEquals(32, read.groupSize());
            assertTrue(read.halfScales(), "GGUF's F16 scales are kept as they are: " + read.name());
            assertArrayEquals(want.data().toArray(ValueLayout.JAVA_BYTE), read.data().toArray(ValueLayout.JAVA_BYTE), read.name());
            assertArrayEquals(want.scales().toArray(ValueLayout.JAVA_BYTE), read.scales().toArray(ValueLayout.JAVA_BYTE), read.name());
            return;
        }
        if (dtype.isQ4()) {
            Tensor want = Q4Quantizer.quantize(source, dtype, arena);
            assertArrayEquals(want.data().toArray(ValueLayout.JAVA_BYTE), read.data().toArray(ValueLayout.JAVA_BYTE), read.name());
            assertArrayEquals(want.scales().toArray(ValueLayout.JAVA_BYTE), read.scales().toArray(ValueLayout.JAVA_BYTE), read.name());
            return;
        }
        float[] want = source.toFloats();
        for (int i = 0; i < want.length; i++) {
            if (dtype == DType.F16) want[i] = Half.f16ToFloat(Half.floatToF16(want[i]));
            if (dtype == DType.BF16) want[i] = Half.roundToBf16(want[i]);
        }
        assertArrayEquals(want, read.toFloats(), read.name());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_K"})
    void quantizedReadBackAndWrittenAgainIsTheSameFile(DType dtype) throws IOException {
        Path first = dir.resolve("a.gguf"), second = dir.resolve("b.gguf");
        try (LlamaWeights w = RandomWeights.create(configFor(dtype), true, 3)) {
            GgufWriter.write(w, first, dtype, Map.of());
        }
        try (LlamaWeights r = Checkpoints.load(first)) {
            assertTrue(r.sharedClassifier());
            assertEquals(dtype, r.dtype());
            GgufWriter.write(r, second, dtype, Map.of());
        }
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    /**
     * GGUF holds q/k rows in adjacent-pair order: a model read from Hugging Face (rotate-half rows)
     * is permuted back on the way out, so it gives the very file its adjacent-pair source gives,
     * Q8_0 blocks included.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "Q8_0", "Q4_0"})
    void huggingFaceRowsArePermutedBackToAdjacentPairs(DType dtype) throws IOException {
        Path direct = dir.resolve("direct.gguf"), viaHf = dir.resolve("via-hf.gguf"), hf = dir.resolve("hf");
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 9)) {
            GgufWriter.write(w, direct, dtype, Map.of());
            HuggingFaceWriter.write(w, hf, DType.F32);
        }
        try (LlamaWeights r = Checkpoints.load(hf)) {
            assertTrue(r.rotateHalfLayout());
            GgufWriter.write(r, viaHf, dtype, Map.of());
        }
        assertArrayEquals(Files.readAllBytes(direct), Files.readAllBytes(viaHf));
    }

    @Test
    void metadataOfEveryTypeReadsBack() throws IOException {
        Path file = dir.resolve("m.gguf");
        Map<String, GgufValue> extra = new java.util.LinkedHashMap<>();
        for (GgufValue.Type t : GgufValue.Type.values()) {
            Object v = switch (t) {
                case FLOAT32, FLOAT64 -> 0.5;
                case BOOL -> true;
                case STRING -> "héllo";
                case ARRAY -> new GgufValue.Array(GgufValue.Type.STRING, List.of("a", "", "<0x0A>"));
                case INT8, INT16, INT32, INT64 -> -5L;
                default -> 200L;
            };
            extra.put("test." + t, new GgufValue(t, v));
        }
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 1)) {
            GgufWriter.write(w, file, DType.F32, extra);
        }
        try (Arena arena = Arena.ofConfined()) {
            Map<String, GgufValue> read = GgufFile.read(file, arena).metadata();
            for (Map.Entry<String, GgufValue> e : extra.entrySet()) assertEquals(e.getValue(), read.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void q8OfRowsThatAreNotWholeBlocksIsRefused() throws IOException {
        LlamaConfig odd = new LlamaConfig(64, 176, 1, 4, 2, 96, 32, 1e-5f, 10000f);
        try (LlamaWeights w = RandomWeights.create(odd, false, 1)) {
            BadInputException e = assertThrows(BadInputException.class, () -> GgufWriter.write(w, dir.resolve("m.gguf"), DType.Q8_0, Map.of()));
            assertTrue(e.getMessage().contains("ffn_down"), e.getMessage());
        }
    }

    /** Q4_K needs rows of 256: the first matrix of 64 is named. */
    @Test
    void q4kOfRowsThatAreNotWholeSuperBlocksIsRefused() throws IOException {
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 1)) {
            BadInputException e = assertThrows(BadInputException.class, () -> GgufWriter.write(w, dir.resolve("m.gguf"), DType.Q4_K, Map.of()));
            assertTrue(e.getMessage().contains("token_embd.weight") && e.getMessage().contains("256"), e.getMessage());
        }
    }

    /** A Q4_0 file cut short: the tensor that runs past the end is named. */
    @Test
    void truncatedQ4TensorIsRefusedNamingIt() throws IOException {
        Path file = dir.resolve("q4.gguf");
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 2)) {
            GgufWriter.write(w, file, DType.Q4_0, Map.of());
        }
        assertRefused(Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 10), bytes -> {}, "tensor output.weight lies at data bytes");
    }

    /** A valid F32 file for the bad-file cases to break. */
    static byte[] valid(Path dir) throws IOException {
        Path file = dir.resolve("valid.gguf");
        try (LlamaWeights w = RandomWeights.create(CONFIG, false, 5)) {
            GgufWriter.write(w, file, DType.F32, Map.of());
        }
        return Files.readAllBytes(file);
    }

    /** The byte after the first occurrence of {@code text}. */
    static int after(byte[] file, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + t.length <= file.length; i++) {
            if (Arrays.equals(file, i, i + t.length, t, 0, t.length)) return i + t.length;
        }
        throw new AssertionError(text + " not in the file");
    }

    /** The tensor info of token_embd.weight: name, uint32 n_dims, 2 uint64 dims, then its type (uint32) and offset (uint64). */
    static void breakEmbedding(byte[] file, int type, long offset) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int at = after(file, GgufTensorNames.EMBEDDING) + 4 + 16;
        if (type >= 0) b.putInt(at, type);
        if (offset >= 0) b.putLong(at + 4, offset);
    }

    @Test
    void badFilesAreRefusedNamingTheFile() throws IOException {
        byte[] valid = valid(dir);
        assertRefused(valid, bytes -> bytes[0] = 'X', "not a GGUF file");
        assertRefused(Arrays.copyOf(valid, 200), bytes -> {}, "truncated");
        assertRefused(Arrays.copyOf(valid, valid.length - 100), bytes -> {}, "beyond");
        assertRefused(valid, bytes -> breakEmbedding(bytes, -1, 1L << 40), "beyond");
        assertRefused(valid, bytes -> breakEmbedding(bytes, GgmlType.Q4_K.code, -1), "rows of 64 are not whole Q4_K blocks");
        assertRefused(valid, bytes -> breakEmbedding(bytes, GgmlType.Q8_1.code, -1), "Q8_1, which this engine does not read yet");
        assertRefused(valid, bytes -> breakEmbedding(bytes, 99, -1), "unknown ggml type 99");
        assertRefused(valid, bytes -> bytes[after(bytes, "llama.embedding_length") - 1] = 'X', "missing metadata key llama.embedding_length");
        assertRefused(valid, bytes -> bytes[after(bytes, "general.architecture") + 12] = 'X', "this engine runs llama");
        assertRefused(valid, bytes -> ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE), "metadata count");
    }

    private interface Breakage {
        void apply(byte[] bytes);
    }

    private void assertRefused(byte[] valid, Breakage breakage, String message) throws IOException {
        byte[] bytes = valid.clone();
        breakage.apply(bytes);
        Path file = dir.resolve("bad.gguf");
        Files.write(file, bytes);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoints.load(file).close());
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(message), e.getMessage());
    }
}

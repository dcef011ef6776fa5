package org.knowcoder.cli;

import org.knowcoder.model.HuggingFaceWriter;
import org.knowcoder.model.Llama2cWriter;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Random models written here in the shapes and formats of the shared fixtures, so the tests that
 * corrupt model files run on a machine without {@code ../shared}: every size, offset and message
 * they check depends on the shape and the format, not on the weights. Written once per test JVM
 * into a temporary directory that is removed at exit.
 */
final class OwnModels {
    private OwnModels() {}

    /** llama-tiny-gqa: dim 64, hidden 176, 2 layers, 8 heads over 4 kv heads, vocab 512, context 64, its own classifier. */
    private static final LlamaConfig TINY_GQA = new LlamaConfig(64, 176, 2, 8, 4, 512, 64, 1e-5f, 10000f);
    /** llama-tiny-q8: as llama-tiny-gqa with hidden 192 (Q8_0 groups of 64 divide it). */
    private static final LlamaConfig TINY_Q8 = new LlamaConfig(64, 192, 2, 8, 4, 512, 64, 1e-5f, 10000f);
    /** stories260K: dim 64, hidden 172, 5 layers, 8 heads over 4 kv heads, vocab 512, context 512, shared classifier. */
    private static final LlamaConfig STORIES = new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5f, 10000f);

    private static final Path DIR = write();

    /** llama-tiny-gqa as llama2.c version 0. */
    static Path tinyV0() {
        return DIR.resolve("tiny-v0.bin");
    }

    /** llama-tiny-gqa as llama2.c version 1. */
    static Path tinyV1() {
        return DIR.resolve("tiny-v1.bin");
    }

    /** llama-tiny-q8 as llama2.c version 2 (Q8_0, groups of 64). */
    static Path tinyQ8() {
        return DIR.resolve("tiny-q8_0.bin");
    }

    /** llama-tiny-gqa as a Hugging Face directory (config.json, model.safetensors in F32). */
    static Path tinyHf() {
        return DIR.resolve("tiny-hf");
    }

    /** stories260K's shape as llama2.c version 0. */
    static Path stories() {
        return DIR.resolve("stories.bin");
    }

    /** A llama2.c tokenizer.bin of 512 pieces, as tok512.bin: the specials, the 256 byte pieces, then " ", letters and words. */
    static Path storiesTokenizer() {
        return DIR.resolve("tokenizer.bin");
    }

    /**
     * A llama2.c tokenizer.bin: the three specials and the 256 byte pieces (score 0), then {@code pieces}
     * (falling scores). The format: int32 max piece length, then per piece a float score, an int32
     * length and its bytes.
     */
    static byte[] tokenizerBytes(List<String> pieces) {
        List<String> all = new ArrayList<>(List.of("<unk>", "\n<s>\n", "\n</s>\n"));
        for (int b = 0; b < 256; b++) all.add(String.format("<0x%02X>", b));
        all.addAll(pieces);
        ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(7);
        for (int i = 0; i < all.size(); i++) {
            byte[] bytes = all.get(i).getBytes(StandardCharsets.UTF_8);
            out.putFloat(i < 259 ? 0f : -i).putInt(bytes.length).put(bytes);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** A llama2.c tokenizer.bin of {@code size} pieces: the specials, the byte pieces, " " (which llama2.c's encoder needs), then made-up words. */
    static byte[] tokenizerBytes(int size) {
        List<String> pieces = new ArrayList<>(List.of(" "));
        while (pieces.size() < size - 259) pieces.add("w" + pieces.size());
        return tokenizerBytes(pieces);
    }

    private static Path write() {
        try {
            Path dir = Files.createTempDirectory("knowcoder-own-models");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            try (LlamaWeights w = RandomWeights.create(TINY_GQA, false, 11)) {
                Llama2cWriter.writeVersion0(w, dir.resolve("tiny-v0.bin"));
                Llama2cWriter.writeVersion1(w, dir.resolve("tiny-v1.bin"));
                HuggingFaceWriter.write(w, dir.resolve("tiny-hf"), DType.F32);
            }
            try (LlamaWeights w = RandomWeights.create(TINY_Q8, false, 12)) {
                Llama2cWriter.writeVersion2(w, dir.resolve("tiny-q8_0.bin"), 64);
            }
            try (LlamaWeights w = RandomWeights.create(STORIES, true, 13)) {
                Llama2cWriter.writeVersion0(w, dir.resolve("stories.bin"));
            }
            Files.write(dir.resolve("tokenizer.bin"), tokenizer512());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 512 pieces, as tok512.bin: " ", letters, letters after a space, capitals, then two-letter words. */
    private static byte[] tokenizer512() {
        List<String> pieces = new ArrayList<>(List.of(" "));
        for (char c = 'a'; c <= 'z'; c++) pieces.add(String.valueOf(c));
        for (char c = 'a'; c <= 'z'; c++) pieces.add(" " + c);
        for (char c = 'A'; c <= 'Z'; c++) pieces.add(String.valueOf(c));
        for (char a = 'a'; pieces.size() < 512 - 259; a++) {
            for (char b = 'a'; b <= 'z' && pieces.size() < 512 - 259; b++) pieces.add(" " + a + b);
        }
        return tokenizerBytes(pieces);
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}

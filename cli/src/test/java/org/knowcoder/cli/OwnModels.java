package org.knowcoder.cli;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.model.format.Llama2cWriter;
import org.knowcoder.model.format.SafetensorsFile;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.testing.Llama2cTokenizers;
import org.knowcoder.testing.TorchSaves;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** tinyHf's tensors in PyTorch's container (config.json, pytorch_model.bin in F32, contiguous). */
    static Path tinyPyTorch() {
        return DIR.resolve("tiny-pt");
    }

    /** stories260K's shape as llama2.c version 0. */
    static Path stories() {
        return DIR.resolve("stories.bin");
    }

    /** A llama2.c tokenizer.bin of 512 pieces, as tok512.bin: the specials, the 256 byte pieces, then " ", letters and words. */
    static Path storiesTokenizer() {
        return DIR.resolve("tokenizer.bin");
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
            writePyTorch(dir.resolve("tiny-hf"), Files.createDirectory(dir.resolve("tiny-pt")));
            try (LlamaWeights w = RandomWeights.create(TINY_Q8, false, 12)) {
                Llama2cWriter.writeVersion2(w, dir.resolve("tiny-q8_0.bin"), 64);
            }
            try (LlamaWeights w = RandomWeights.create(STORIES, true, 13)) {
                Llama2cWriter.writeVersion0(w, dir.resolve("stories.bin"));
            }
            Files.write(dir.resolve("tokenizer.bin"), Llama2cTokenizers.stories());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Hugging Face checkpoint in {@code hf} as {@code torch.save} of its state dict, one storage per tensor. */
    private static void writePyTorch(Path hf, Path dir) throws IOException {
        List<TorchSaves.View> views = new ArrayList<>();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            for (Map.Entry<String, Tensor> e : SafetensorsFile.read(hf.resolve("model.safetensors"), arena).entrySet()) {
                String key = String.valueOf(storages.size());
                views.add(TorchSaves.View.contiguous(e.getKey(), "FloatStorage", key, e.getValue().shape()));
                storages.put(key, e.getValue().data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        TorchSaves.write(dir.resolve("pytorch_model.bin"), TorchSaves.stateDict(views).bytes(), storages);
        Files.copy(hf.resolve("config.json"), dir.resolve("config.json"));
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}

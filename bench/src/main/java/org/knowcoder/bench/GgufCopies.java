package org.knowcoder.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * GGUF copies of a bench model for llama.cpp, written once beside it by the CLI's {@code convert},
 * as {@code bench/llamacpp/side_by_side.sh} writes them: llama.cpp loads a model only with its
 * vocabulary, so the file carries a real tokenizer's. Named apart from {@link BenchModel}'s own Q4
 * GGUF files, which hold none.
 */
final class GgufCopies {
    private GgufCopies() {}

    /** The types a copy can be written in. */
    static final List<String> DTYPES = List.of("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K");

    /** MODEL-DTYPE-vocab.gguf beside the F32 file, in {@code dtype} (F32, F16, BF16, Q8_0, Q4_0 or Q4_K), written when missing. */
    static Path of(Path jar, BenchModel model, String dtype, Path tokenizer) throws IOException, InterruptedException {
        Path file = model.f32().resolveSibling(model.name() + "-" + dtype.toLowerCase(Locale.ROOT) + "-vocab.gguf");
        return of(jar, model.f32(), file, dtype, tokenizer);
    }

    /**
     * {@code file}: the model at {@code source} (any format the engine reads) in {@code dtype} with
     * {@code tokenizer}'s vocabulary, written when missing.
     */
    static Path of(Path jar, Path source, Path file, String dtype, Path tokenizer) throws IOException, InterruptedException {
        String d = dtype.toLowerCase(Locale.ROOT);
        if (Files.isRegularFile(file)) return file;
        if (!Files.isRegularFile(jar)) throw new NoSuchFileException(jar.toString(), null, "build the CLI first (mvn package) or pass --jar");
        if (tokenizer == null || !Files.isRegularFile(tokenizer)) {
            throw new NoSuchFileException(String.valueOf(tokenizer), null, "llama.cpp needs a vocabulary in the GGUF file: pass --gguf-tokenizer");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "convert", "--model", source.toString(), "--tokenizer", tokenizer.toString(), "--to", "gguf",
                "--out", file.toString()));
        cmd.addAll(switch (d) {
            case "f32", "f16", "bf16" -> List.of("--dtype", d);
            case "q8_0", "q4_0", "q4_k" -> List.of("--quantize", d);
            default -> throw new IllegalArgumentException("no GGUF copy in " + dtype + "; the types: " + DTYPES);
        });
        System.err.println("converting " + source + " to " + file + " ...");
        int exit = new ProcessBuilder(cmd).inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (exit != 0) throw new IOException(String.join(" ", cmd) + " exited " + exit);
        return file;
    }

    /**
     * The SentencePiece model of ../shared/fixtures whose vocabulary has {@code vocabSize} pieces:
     * LLaMA-2's 32,000, or stories260K's 512 (the tiny bench model's); null for any other size.
     */
    static Path defaultTokenizer(int vocabSize) {
        return switch (vocabSize) {
            case 32000 -> Path.of("..", "shared", "fixtures", "tokenizer", "llama2-tokenizer.model");
            case 512 -> Path.of("..", "shared", "fixtures", "stories260K", "tok512.model");
            default -> null;
        };
    }
}

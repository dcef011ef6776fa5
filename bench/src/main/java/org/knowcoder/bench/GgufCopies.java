package org.knowcoder.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * GGUF copies of the bench model's F32 file for llama.cpp, written once beside it by the CLI's
 * {@code convert}, as {@code bench/llamacpp/side_by_side.sh} writes them: llama.cpp loads a model only
 * with its vocabulary, so the file carries a real tokenizer's. Named apart from {@link BenchModel}'s
 * own Q4 GGUF files, which hold none.
 */
final class GgufCopies {
    private GgufCopies() {}

    /** The types a copy can be written in. */
    static final List<String> DTYPES = List.of("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K");

    /** MODEL-DTYPE-vocab.gguf beside the F32 file, in {@code dtype} (F32, F16, BF16, Q8_0, Q4_0 or Q4_K), written when missing. */
    static Path of(Path jar, BenchModel model, String dtype, Path tokenizer) throws IOException, InterruptedException {
        String d = dtype.toLowerCase(Locale.ROOT);
        Path file = model.f32().resolveSibling(model.name() + "-" + d + "-vocab.gguf");
        if (Files.isRegularFile(file)) return file;
        if (!Files.isRegularFile(jar)) throw new NoSuchFileException(jar.toString(), null, "build the CLI first (mvn package) or pass --jar");
        if (!Files.isRegularFile(tokenizer)) throw new NoSuchFileException(tokenizer.toString(), null, "pass --gguf-tokenizer");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "convert", "--model", model.f32().toString(), "--tokenizer", tokenizer.toString(), "--to", "gguf",
                "--out", file.toString()));
        cmd.addAll(switch (d) {
            case "f32", "f16", "bf16" -> List.of("--dtype", d);
            case "q8_0", "q4_0", "q4_k" -> List.of("--quantize", d);
            default -> throw new IllegalArgumentException("no GGUF copy in " + dtype + "; the types: " + DTYPES);
        });
        System.err.println("converting " + model.f32() + " to " + file + " ...");
        int exit = new ProcessBuilder(cmd).inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (exit != 0) throw new IOException(String.join(" ", cmd) + " exited " + exit);
        return file;
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LoraConfig;
import org.knowcoder.model.Projection;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.train.LoraAdapter;
import org.knowcoder.train.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code generate --adapter} (unmerged) and {@code merge-adapter} give the same greedy ids; without the adapter they differ. */
class AdapterCommandsTest {
    @Test
    void unmergedAndMergedAdapterGenerateAlike(@TempDir Path tmp) throws IOException {
        Path base = OwnModels.tinyHf(), lora = adapter(base, tmp.resolve("lora"));
        Path merged = tmp.resolve("merged");
        CliRun merge = CliRun.inProcess("merge-adapter", "--model", base, "--adapter", lora, "--out", merged);
        assertAll(() -> assertEquals(0, merge.code(), merge::err), () -> assertTrue(Files.isRegularFile(merged.resolve("model.safetensors"))));
        Object[] greedy = {"--prompt-ids", "1,40,300,17", "--output-ids", "--temperature", "0", "--steps", "24"};
        CliRun withAdapter = CliRun.inProcess(concat(new Object[] {"generate", "--model", base, "--adapter", lora}, greedy));
        CliRun fromMerged = CliRun.inProcess(concat(new Object[] {"generate", "--model", merged}, greedy));
        CliRun plain = CliRun.inProcess(concat(new Object[] {"generate", "--model", base}, greedy));
        assertAll(() -> assertEquals(0, withAdapter.code(), withAdapter::err),
                () -> assertEquals(fromMerged.out(), withAdapter.out()),
                () -> assertNotEquals(plain.out(), withAdapter.out(), "the adapter changes the output"));
    }

    /** Refused before the model or the adapter is read, so no fixture is needed. */
    @Test
    void aBadDtypeIsBadUsage(@TempDir Path tmp) {
        CliRun.inProcess("merge-adapter", "--model", OwnModels.tinyHf(), "--adapter", tmp.resolve("lora"), "--out", tmp.resolve("m"),
                "--dtype", "f16").assertBadInput("--dtype f16: expected f32 or bf16");
    }

    /**
     * A PEFT adapter for the model in {@code base}, written to {@code dir}: rank 4 on every projection,
     * A and B filled with values (B starts at zero, which would leave the model as it is). Written
     * here rather than read from ../shared: what is checked is our own merge, not a reference.
     */
    private static Path adapter(Path base, Path dir) throws IOException {
        try (LlamaWeights w = Checkpoints.load(base)) {
            LoraAdapter a = LoraAdapter.create(new LoraConfig(4, 8, 0, EnumSet.allOf(Projection.class)), w.config(), 11);
            for (Parameter p : a.parameters()) {
                float[] v = p.var().value();
                for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.37 + p.name().length()) * 0.1f;
            }
            a.save(dir, base.toString());
        }
        return dir;
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

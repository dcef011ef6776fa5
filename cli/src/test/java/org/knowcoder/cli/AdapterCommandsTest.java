package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code generate --adapter} (unmerged) and {@code merge-adapter} give the same greedy ids; without the adapter they differ. */
class AdapterCommandsTest {
    @Test
    void unmergedAndMergedAdapterGenerateAlike(@TempDir Path tmp) {
        Path base = Fixtures.tinyHf(), lora = Fixtures.file("lora");
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

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

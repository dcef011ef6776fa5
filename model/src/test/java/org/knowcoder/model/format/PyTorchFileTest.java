package org.knowcoder.model.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.testing.SharedFiles;
import org.knowcoder.testing.TorchSaves;
import org.knowcoder.testing.TorchSaves.View;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torch.save zip files: tensors as views of storages, and the files a reader must refuse. */
class PyTorchFileTest {
    @TempDir
    Path tmp;

    /** 0, 1, 2, ... as little-endian F32. */
    private static byte[] counting(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putFloat(i);
        return b.array();
    }

    @Test
    void viewsHonourTheirOffsetAndStrides() throws IOException {
        ByteBuffer half = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) half.putShort(Half.floatToF16(0.5f * i));
        List<View> views = List.of(
                // rows 1..2 of a fused [4, 3] storage, as q/k/v slices of one projection are
                new View("rows", "FloatStorage", "0", 24, 3, new long[] {2, 3}, new long[] {3, 1}),
                // the transpose of the first [4, 3] block: element (i, j) is storage[i + 3 j]
                new View("transposed", "FloatStorage", "0", 24, 0, new long[] {3, 4}, new long[] {1, 3}),
                View.contiguous("half", "HalfStorage", "1", 2, 2));
        Path file = TorchSaves.write(tmp.resolve("pytorch_model.bin"), TorchSaves.stateDict(views).bytes(),
                Map.of("0", counting(24), "1", half.array()));
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> t = PyTorchFile.read(file, arena);
            assertArrayEquals(new float[] {3, 4, 5, 6, 7, 8}, t.get("rows").toFloats());
            assertArrayEquals(new float[] {0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, t.get("transposed").toFloats());
            assertArrayEquals(new long[] {3, 4}, t.get("transposed").shape());
            assertEquals(DType.F16, t.get("half").dtype());
            assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f}, t.get("half").toFloats());
        }
    }

    @Test
    void moreThan65535EntriesTakeZip64EndRecords() throws IOException {
        Map<String, byte[]> storages = new HashMap<>();
        for (int i = 0; i < 70_000; i++) storages.put(String.valueOf(i), new byte[0]);
        storages.put("0", counting(4));
        Path file = TorchSaves.write(tmp.resolve("pytorch_model.bin"),
                TorchSaves.stateDict(List.of(View.contiguous("w", "FloatStorage", "0", 2, 2))).bytes(), storages);
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new float[] {0, 1, 2, 3}, PyTorchFile.read(file, arena).get("w").toFloats());
        }
    }

    @Test
    void theMaliciousFixtureIsRefusedWithoutRunningIt() throws IOException {
        Path dir = SharedFiles.fixture("models/llama-tiny-gqa/pytorch/malicious");
        // what its pickle asks os.system to run: echo pwned > /tmp/knowcoder-pickle-pwned
        Path sideEffect = Path.of("/tmp/knowcoder-pickle-pwned");
        Files.deleteIfExists(sideEffect);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoints.load(dir).close());
        assertTrue(e.getMessage().contains(dir.resolve("pytorch_model.bin").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("posix.system"), e.getMessage());
        assertFalse(Files.exists(sideEffect), "the pickle's command ran");
    }

    @Test
    void theLegacyFormatSaysHowToConvert() {
        Path dir = SharedFiles.fixture("models/llama-tiny-gqa/pytorch/legacy");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoints.load(dir).close());
        assertTrue(e.getMessage().contains("before 1.6"), e.getMessage());
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.testing.TorchSaves;
import org.knowcoder.testing.TorchSaves.Pickle;
import org.knowcoder.testing.TorchSaves.View;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** PyTorch checkpoints (torch.save zips) written here, good and gone wrong, through the CLI. */
class PyTorchBadInputTest {
    private static final String NORM = "model.norm.weight";

    @TempDir
    Path tmp;

    private static CliRun generate(Path model) {
        return CliRun.inProcess("generate", "--model", model, "--prompt-ids", "1,2", "--output-ids", "--steps", "6", "--threads", "1", "--temperature", "0");
    }

    /** A model directory: the tiny model's config.json beside a pytorch_model.bin of {@code pickle} and {@code storages}. */
    private Path model(byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Files.copy(OwnModels.tinyPyTorch().resolve("config.json"), dir.resolve("config.json"));
        TorchSaves.write(dir.resolve("pytorch_model.bin"), pickle, storages);
        return dir;
    }

    @Test
    void aPyTorchCheckpointGeneratesAsItsSafetensorsTwin() {
        CliRun pt = generate(OwnModels.tinyPyTorch()), hf = generate(OwnModels.tinyHf());
        assertEquals(0, pt.code(), pt.err());
        assertEquals(hf.out(), pt.out());
    }

    @Test
    void aGlobalAStateDictDoesNotNeedIsRefusedUnrun() throws IOException {
        Path marker = tmp.resolve("ran");
        // what a hostile checkpoint does: REDUCE calls os.system with a command
        Pickle p = new Pickle().op(0x80).op(2).op('}').string(NORM).global("posix", "system")
                .string("touch " + marker).op(0x85).op('R').op('s').op('.');
        Path dir = model(p.bytes(), Map.of());
        generate(dir).assertBadInput(dir.resolve("pytorch_model.bin"), "refused", "posix.system", "nothing was run");
        assertFalse(Files.exists(marker));
    }

    @Test
    void theMaliciousFixtureIsRefusedUnrun() throws IOException {
        Path dir = Fixtures.file("models/llama-tiny-gqa/pytorch/malicious");
        Path sideEffect = Path.of("/tmp/knowcoder-pickle-pwned"); // what its pickle asks os.system to write
        Files.deleteIfExists(sideEffect);
        generate(dir).assertBadInput(dir.resolve("pytorch_model.bin"), "posix.system");
        assertFalse(Files.exists(sideEffect));
    }

    @Test
    void anOpcodeAStateDictIsNotWrittenWith() throws IOException {
        // FRAME, of protocol 4, after PROTO 2
        byte[] pickle = new Pickle().op(0x80).op(2).op(0x95).op('}').op('.').bytes();
        Path dir = model(pickle, Map.of());
        generate(dir).assertBadInput(dir.resolve("pytorch_model.bin"), "data.pkl byte 2", "opcode 0x95");
    }

    @Test
    void aTruncatedPickle() throws IOException {
        byte[] pickle = new Pickle().op(0x80).op(2).op('}').string(NORM).bytes();
        Path dir = model(Arrays.copyOf(pickle, pickle.length - 3), Map.of());
        generate(dir).assertBadInput(dir.resolve("pytorch_model.bin"), "truncated");
    }

    @Test
    void aTruncatedZip() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Files.copy(OwnModels.tinyPyTorch().resolve("config.json"), dir.resolve("config.json"));
        byte[] whole = Files.readAllBytes(OwnModels.tinyPyTorch().resolve("pytorch_model.bin"));
        Path file = Files.write(dir.resolve("pytorch_model.bin"), Arrays.copyOf(whole, whole.length / 2));
        generate(dir).assertBadInput(file, "damaged zip archive", "truncated");
    }

    @Test
    void theLegacyFormatSaysHowToConvert() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Files.copy(OwnModels.tinyPyTorch().resolve("config.json"), dir.resolve("config.json"));
        // torch < 1.6: a pickled magic number first (PROTO 2, LONG1 of 10 bytes)
        Path file = Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc});
        generate(dir).assertBadInput(file, "before 1.6", "torch.save(torch.load(f, weights_only=True), f)", "safetensors");
    }

    @Test
    void aViewPastTheEndOfItsStorage() throws IOException {
        View v = new View(NORM, "FloatStorage", "0", 64, 8, new long[] {64}, new long[] {1});
        Path dir = model(TorchSaves.stateDict(List.of(v)).bytes(), Map.of("0", new byte[256]));
        generate(dir).assertBadInput(dir.resolve("pytorch_model.bin"), "tensor " + NORM, "reaches past storage 0 of 64 values");
    }

    @Test
    void aStorageShorterThanItClaims() throws IOException {
        Path dir = model(TorchSaves.stateDict(List.of(View.contiguous(NORM, "FloatStorage", "0", 64))).bytes(), Map.of("0", new byte[100]));
        generate(dir).assertBadInput(dir.resolve("pytorch_model.bin"), "storage 0 holds 100 bytes, fewer than its 64 F32 values need");
    }

    @Test
    void anIntegerStorage() throws IOException {
        Path dir = model(TorchSaves.stateDict(List.of(View.contiguous(NORM, "LongStorage", "0", 64))).bytes(), Map.of("0", new byte[512]));
        generate(dir).assertBadInput(dir.resolve("pytorch_model.bin"), "tensor " + NORM + " is stored as torch.LongStorage");
    }

    @Test
    void aCompressedEntry() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Files.copy(OwnModels.tinyPyTorch().resolve("config.json"), dir.resolve("config.json"));
        Path file = dir.resolve("pytorch_model.bin");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl")); // deflated, the default
            zip.write(new Pickle().op(0x80).op(2).op('}').op('.').bytes());
        }
        generate(dir).assertBadInput(file, "entry archive/data.pkl is compressed");
    }

    @Test
    void indexShardsOutsideTheDirectoryAreNotOpened() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Files.copy(OwnModels.tinyPyTorch().resolve("config.json"), dir.resolve("config.json"));
        Files.copy(OwnModels.tinyPyTorch().resolve("pytorch_model.bin"), tmp.resolve("elsewhere.bin"));
        Path index = Files.writeString(dir.resolve("pytorch_model.bin.index.json"),
                "{\"weight_map\": {\"model.embed_tokens.weight\": \"../elsewhere.bin\"}}");
        generate(dir).assertBadInput(index, "weight_map names shard \"../elsewhere.bin\", which is outside the model directory");
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** init: seeded random weights, byte for byte the same per seed; bad options refused in one line; train starts from the result. */
class InitCommandTest {
    private static final String[] TINY = {"init", "--dim", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--hidden", "48",
            "--seq-len", "32"};

    private static CliRun init(Object... more) {
        Object[] args = new Object[TINY.length + more.length];
        System.arraycopy(TINY, 0, args, 0, TINY.length);
        System.arraycopy(more, 0, args, TINY.length, more.length);
        return CliRun.inProcess(args);
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOthers(@TempDir Path tmp) throws IOException {
        for (String name : List.of("a", "b", "c")) {
            CliRun r = init("--vocab", "64", "--seed", name.equals("c") ? "2" : "1", "--out", tmp.resolve(name));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("parameters"), r.out());
        }
        byte[] a = Files.readAllBytes(tmp.resolve("a/model.safetensors"));
        assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b/model.safetensors")));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/config.json")), Files.readAllBytes(tmp.resolve("b/config.json")));
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(tmp.resolve("c/model.safetensors"))));
        var config = new ObjectMapper().readTree(tmp.resolve("a/config.json").toFile());
        assertEquals(2, config.path("num_key_value_heads").asInt());
        assertEquals(64, config.path("vocab_size").asInt());
    }

    @Test
    void llama2cFilesAreByteIdenticalPerSeedAndTakeTheTokenizersVocabulary(@TempDir Path tmp) throws IOException {
        for (String name : List.of("a.bin", "b.bin")) {
            CliRun r = init("--tokenizer", Fixtures.storiesTokenizer(), "--format", "llama2c", "--out", tmp.resolve(name));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("vocab 512"), r.out());
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a.bin")), Files.readAllBytes(tmp.resolve("b.bin")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--heads=5", "--kv-heads=3", "--dim=-4", "--format=gguf", "--tokenizer=TOKENIZER", "--vocab=0"})
    void badOptionsAreOneLineAndExit2(String option, @TempDir Path tmp) throws IOException {
        String opt = option.replace("TOKENIZER", Fixtures.storiesTokenizer().toString());
        CliRun r = init(opt, option.startsWith("--vocab") ? "--seed=1" : "--vocab=64", "--out", tmp.resolve("m"));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("m")));
    }

    @Test
    void anExistingModelIsNotOverwritten(@TempDir Path tmp) throws IOException {
        Path m = Files.writeString(tmp.resolve("m.bin"), "trained weights");
        CliRun r = init("--vocab", "64", "--format", "llama2c", "--out", m);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("does not overwrite"), r.err());
        assertEquals("trained weights", Files.readString(m));
    }

    /** From ln(512) at the start, a few steps on three short texts bring the loss well down: the scale suits a trainer. */
    @Test
    void trainStartsFromAnInitModelAndTheLossFalls(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("m");
        assertEquals(0, init("--tokenizer", Fixtures.storiesTokenizer(), "--out", model).code());
        Path data = Files.writeString(tmp.resolve("d.jsonl"), """
                {"text": "Once upon a time there was a cat."}
                {"prompt": "The dog", "output": " ran home."}
                {"text": "Tim saw a big red ball."}
                """);
        Path run = tmp.resolve("run");
        CliRun r = CliRun.inProcess("train", "--model", model, "--tokenizer", Fixtures.storiesTokenizer(), "--data", data, "--out", run,
                "--steps", "12", "--batch", "3", "--seq-len", "16", "--lr", "1e-2", "--pack", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        ObjectMapper json = new ObjectMapper();
        double first = json.readTree(metrics.getFirst()).path("loss").asDouble(), last = json.readTree(metrics.getLast()).path("loss").asDouble();
        assertEquals(Math.log(512), first, 0.1);
        assertTrue(last < first - 2, first + " -> " + last);
    }
}

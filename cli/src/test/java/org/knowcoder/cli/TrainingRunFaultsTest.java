package org.knowcoder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run directory survives what the user does to it: a kill (checkpoints by default, metrics cut back
 * to the resumed step), a rerun of a finished run, corrupt checkpoints and state.json, a resume with
 * other options; and a run whose loss turns NaN stops (exit 1) instead of exporting a NaN model. On a
 * tiny random model and token shard written here, so no fixture is needed.
 */
class TrainingRunFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LlamaConfig TINY = new LlamaConfig(16, 32, 2, 2, 1, 40, 16, 1e-5f, 10000f);

    @TempDir
    Path tmp;

    /** A Hugging Face F32 model of random weights. */
    private Path model() throws IOException {
        Path dir = tmp.resolve("model");
        try (LlamaWeights w = RandomWeights.create(TINY, false, 3)) {
            HuggingFaceWriter.write(w, dir, DType.F32);
        }
        return dir;
    }

    /** A token shard (ShardExamples' format) of eight random 10-token sequences, all in the loss. */
    private Path shard() throws IOException {
        int n = 8, len = 10;
        ByteBuffer tokens = ByteBuffer.allocate(4 * n * len).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < n * len; i++) tokens.putInt(rng.nextInt(TINY.vocabSize()));
        Files.write(tmp.resolve("shard.tokens"), tokens.array());
        byte[] mask = new byte[n * len];
        Arrays.fill(mask, (byte) 1);
        Files.write(tmp.resolve("shard.mask"), mask);
        ObjectNode h = JSON.createObjectNode().put("format", "knowcoder-shard-1").put("vocab_size", TINY.vocabSize()).put("tokens", n * len);
        IntStream.range(0, n).forEach(i -> h.withArray("sequences").addArray().add(i * len).add(len));
        Path header = tmp.resolve("shard.json");
        JSON.writeValue(header.toFile(), h);
        return header;
    }

    private Path run() {
        return tmp.resolve("run");
    }

    /** train on the tiny model and shard into {@link #run}, with {@code more} options. */
    private CliRun train(Path model, Path data, Object... more) {
        List<Object> args = new ArrayList<>(List.of("train", "--model", model, "--data", data, "--out", run(), "--seq-len", "8",
                "--threads", "1"));
        args.addAll(List.of(more));
        return CliRun.inProcess(args.toArray());
    }

    private List<String> checkpoints() throws IOException {
        try (Stream<Path> dirs = Files.list(run().resolve("checkpoints"))) {
            return dirs.map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    private Path checkpoint(int step) {
        return run().resolve("checkpoints").resolve(String.format("step-%08d", step));
    }

    /** Overwrites the last 4 bytes of {@code file}, the last float of its last tensor, with NaN. */
    private static void lastFloatNaN(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() - 4);
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN).array());
        }
    }

    @Test
    void checkpointsEveryTenthOfTheStepsByDefault() throws IOException {
        CliRun r = train(model(), shard(), "--steps", "20");
        assertEquals(0, r.code(), r.err());
        assertEquals(IntStream.rangeClosed(1, 10).mapToObj(i -> String.format("step-%08d", 2 * i)).toList(), checkpoints());
    }

    @Test
    void checkpointEveryZeroIsOnlyAtTheEnd() throws IOException {
        CliRun r = train(model(), shard(), "--steps", "4", "--checkpoint-every", "0");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("step-00000004"), checkpoints());
    }

    /** Checked against the model before the first step: the forward pass's own check is a precondition (exit 1). */
    @Test
    void aSequenceLongerThanTheContextIsBadInput() throws IOException {
        CliRun.inProcess("train", "--model", model(), "--data", shard(), "--out", run(), "--seq-len", "17", "--threads", "1")
                .assertBadInput("--seq-len 17 is longer than the context of", "16 positions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0%", "101%", "-1", "ten"})
    void badCheckpointIntervalIsBadInput(String every) throws IOException {
        train(model(), shard(), "--steps", "4", "--checkpoint-every", every).assertBadInput("--checkpoint-every", every);
        assertFalse(Files.exists(run()));
    }

    @Test
    void killedRunResumesWithItsMetricsCutBackToTheCheckpoint() throws IOException {
        Path model = model(), data = shard();
        assertEquals(0, train(model, data, "--steps", "6", "--checkpoint-every", "3").code());
        // as if killed after step 6's metrics row, mid-way through the next row and before the step-6 checkpoint
        deleteTree(checkpoint(6));
        Files.writeString(run().resolve("metrics.jsonl"), "{\"step\":7,\"lo", StandardOpenOption.APPEND);
        CliRun again = train(model, data, "--steps", "6", "--checkpoint-every", "3");
        assertEquals(0, again.code(), again.err());
        List<Integer> steps = new ArrayList<>();
        for (String line : Files.readAllLines(run().resolve("metrics.jsonl"))) steps.add(JSON.readTree(line).path("step").asInt());
        assertEquals(List.of(1, 2, 3, 4, 5, 6), steps);
    }

    /** Dropout masks come from the seed and the step: a killed run resumes to the uninterrupted run's weights; another --dropout is refused. */
    @Test
    void aKilledRunWithDropoutResumesToTheSameWeights() throws IOException {
        Path model = model(), data = shard(), weights = run().resolve("model/model.safetensors");
        assertEquals(0, train(model, data, "--steps", "6", "--checkpoint-every", "3", "--dropout", "0.2").code());
        byte[] whole = Files.readAllBytes(weights);
        assertTrue(Files.readString(run().resolve("config.json")).contains("\"dropout\" : 0.2"));
        deleteTree(checkpoint(6));
        deleteTree(weights.getParent());
        train(model, data, "--steps", "6", "--checkpoint-every", "3", "--dropout", "0.1").assertBadInput("--dropout is 0.1", "trained with 0.2");
        CliRun again = train(model, data, "--steps", "6", "--checkpoint-every", "3", "--dropout", "0.2");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("resuming from"), again.err());
        assertArrayEquals(whole, Files.readAllBytes(weights));
        train(model, data, "--dropout", "1").assertBadInput("--dropout must be in [0, 1), got 1.0");
    }

    @Test
    void rerunOfAFinishedRunKeepsItsLossPlot() throws IOException {
        Path model = model(), data = shard();
        assertEquals(0, train(model, data, "--steps", "4").code());
        String plot = Files.readString(run().resolve("loss.svg"));
        CliRun again = train(model, data, "--steps", "4");
        assertEquals(0, again.code(), again.err());
        assertTrue(plot.contains(">step 4<"), plot);
        assertEquals(plot, Files.readString(run().resolve("loss.svg")));
    }

    @Test
    void nanLossStopsTheRunWithExit1NamingTheStep() throws IOException {
        Path model = model();
        lastFloatNaN(model.resolve("model.safetensors"));
        CliRun r = train(model, shard(), "--steps", "4");
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("knowcoder: step 1: the loss is NaN"), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        assertFalse(Files.exists(run().resolve("checkpoints")));
        assertFalse(Files.exists(run().resolve("model")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"params.safetensors", "optimizer.safetensors"})
    void checkpointWithAChangedByteIsRefused(String file) throws IOException {
        Path model = model(), data = shard();
        assertEquals(0, train(model, data, "--steps", "2").code());
        lastFloatNaN(checkpoint(2).resolve(file));
        train(model, data, "--steps", "4").assertBadInput(checkpoint(2).resolve(file), "CRC32C", "corrupt");
        assertEquals(2, Files.readAllLines(run().resolve("metrics.jsonl")).size());
    }

    @ParameterizedTest
    @ValueSource(ints = {-5, 999, 2})
    void stateStepOtherThanItsDirectorysIsRefused(int step) throws IOException {
        Path model = model(), data = shard();
        assertEquals(0, train(model, data, "--steps", "4").code());
        Path state = checkpoint(4).resolve("state.json");
        ObjectNode s = (ObjectNode) JSON.readTree(state.toFile());
        JSON.writeValue(state.toFile(), s.put("step", step));
        train(model, data, "--steps", "8").assertBadInput(state, "\"step\" is " + step, "step-00000004");
    }

    @Test
    void checkpointWithoutChecksumsIsRefused() throws IOException {
        Path model = model(), data = shard();
        assertEquals(0, train(model, data, "--steps", "2").code());
        Path state = checkpoint(2).resolve("state.json");
        ObjectNode s = (ObjectNode) JSON.readTree(state.toFile());
        s.remove("crc32c");
        JSON.writeValue(state.toFile(), s);
        train(model, data, "--steps", "4").assertBadInput(state, "no \"crc32c\"", "cannot be verified");
    }

    @Test
    void resumeBeyondStepsIsRefused() throws IOException {
        Path model = model(), data = shard();
        assertEquals(0, train(model, data, "--steps", "4").code());
        train(model, data, "--steps", "2").assertBadInput(checkpoint(4).resolve("state.json"), "\"step\" is 4", "--steps 2");
    }

    @Test
    void resumeWithOtherOptionsIsRefusedUnlessAllowed() throws IOException {
        Path model = model(), data = shard();
        assertEquals(0, train(model, data, "--steps", "2").code());
        String config = Files.readString(run().resolve("config.json"));
        train(model, data, "--steps", "4", "--lr", "2e-3").assertBadInput("--lr is 0.002", "trained with 3.0E-4", "--allow-changed-options");
        train(model, data, "--steps", "4", "--batch", "4").assertBadInput("--batch is 4", "trained with 8");
        assertEquals(config, Files.readString(run().resolve("config.json")), "a refused resume leaves the record alone");
        assertEquals(2, Files.readAllLines(run().resolve("metrics.jsonl")).size());

        // micro-batches change memory, not the run
        CliRun allowed = train(model, data, "--steps", "3", "--micro-batch", "1");
        assertEquals(0, allowed.code(), allowed.err());
        CliRun changed = train(model, data, "--steps", "4", "--lr", "2e-3", "--allow-changed-options");
        assertEquals(0, changed.code(), changed.err());
        assertTrue(Files.readString(run().resolve("config.json")).contains("\"lr\" : 0.002"));
        // the new value is the run's from there on
        assertEquals(0, train(model, data, "--steps", "5", "--lr", "2e-3").code());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

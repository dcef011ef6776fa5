package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.testing.Llama2cTokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * train and finetune on a random model of stories260K's shape (written here, so no fixture is needed): the run directory,
 * resume, and bad input refused before any step (exit 2, one line).
 */
class TrainCommandTest {
    private static Path data(Path dir) throws IOException {
        Path f = dir.resolve("data.jsonl");
        Files.writeString(f, "{\"text\": \"Once upon a time there was a cat.\"}\n"
                + "{\"prompt\": \"The dog\", \"output\": \" ran home.\"}\n");
        return f;
    }

    /** A token shard as build-data writes it (DIR/data/understanding.json, .tokens, .mask; 64-token packs), tokenized with {@code tokenizer}. */
    private static Path shard(Path dir, Path tokenizer) throws IOException {
        Path lib = dir.resolve("schema.json");
        SchemaJson.write(SchemaLibrary.of(List.of(Concept.builder(Kind.ENTITY, "Human").build())), lib);
        Path corpus = Files.writeString(dir.resolve("corpus.jsonl"), """
                {"text": "Ann was here.", "entities": [{"name": "Ann", "types": ["human"]}]}
                {"text": "Tim saw Ann.", "entities": [{"name": "Tim", "types": ["human"]}]}
                """);
        CliRun r = CliRun.inProcess("build-data", "understanding", corpus, "--library", lib, "--out", dir.resolve("data"),
                "--max-tokens", "64", "--tokenizer", tokenizer);
        assertEquals(0, r.code(), r.err());
        return dir.resolve("data/understanding.json");
    }

    @Test
    void finetuneReadsATokenShard(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.inProcess("finetune", "--model", OwnModels.stories(), "--data", shard(tmp, OwnModels.storiesTokenizer()),
                "--out", run, "--steps", "2", "--batch", "2", "--seq-len", "32", "--rank", "4", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    }

    /** A tokenizer of 600 pieces, more than the model's 512. */
    private static Path largerTokenizer(Path dir) throws IOException {
        return Files.write(dir.resolve("tok600.bin"), Llama2cTokenizers.ofSize(600));
    }

    @Test
    void shardOfALargerVocabularyIsBadInput(@TempDir Path tmp) throws IOException {
        Path header = shard(tmp, largerTokenizer(tmp));
        CliRun r = CliRun.inProcess("train", "--model", OwnModels.stories(), "--data", header, "--out", tmp.resolve("run"), "--steps", "2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(header + ": the shard's vocabulary of 600 does not fit the model's vocabulary of 512"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void trainWritesRunDirectoryAndResumes(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        Object[] args = {"train", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(), "--data", data(tmp),
                "--out", run, "--steps", "3", "--batch", "2", "--micro-batch", "1", "--seq-len", "16", "--threads", "1"};
        CliRun r = CliRun.inProcess(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("ETA"), r.err());
        assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        for (String f : new String[] {"config.json", "loss.svg", "checkpoints/step-00000003/state.json", "model/model.safetensors"}) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        Object[] more = args.clone();
        more[10] = "5"; // --steps
        CliRun again = CliRun.inProcess(more);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("resuming from"), again.err());
        assertEquals(5, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    }

    /** A run recorded before --pack existed was trained unpacked: it resumes with --no-pack and refuses packing. */
    @Test
    void aRunFromBeforePackingResumesUnpacked(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        Object[] args = {"train", "--model", Fixtures.stories(), "--tokenizer", Fixtures.storiesTokenizer(), "--data", data(tmp),
                "--out", run, "--steps", "2", "--batch", "2", "--seq-len", "16", "--threads", "1", "--no-pack"};
        assertEquals(0, CliRun.inProcess(args).code());
        Path state = run.resolve("checkpoints/step-00000002/state.json");
        Files.writeString(state, Files.readString(state).replaceAll("\"pack\"\\s*:\\s*false\\s*,", ""));
        assertFalse(Files.readString(state).contains("pack"), Files.readString(state));
        Object[] more = args.clone();
        more[10] = "3"; // --steps
        CliRun packed = CliRun.inProcess(java.util.Arrays.copyOf(more, more.length - 1));
        assertEquals(2, packed.code(), packed.err());
        assertTrue(packed.err().contains("--pack is true but the run was trained with false"), packed.err());
        CliRun unpacked = CliRun.inProcess(more);
        assertEquals(0, unpacked.code(), unpacked.err());
        assertTrue(unpacked.err().contains("resuming from"), unpacked.err());
    }

    @Test
    void bf16IsRecordedInConfig(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.inProcess("train", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(), "--data", data(tmp),
                "--out", run, "--steps", "2", "--batch", "2", "--seq-len", "16", "--threads", "1", "--bf16");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"bf16\" : true"), Files.readString(run.resolve("config.json")));
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    }

    @Test
    void finetuneSavesPeftAdapter(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.inProcess("finetune", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--data", data(tmp), "--out", run, "--steps", "2", "--batch", "2", "--seq-len", "16", "--rank", "4", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(run.resolve("adapter/adapter_config.json")));
        assertTrue(Files.exists(run.resolve("adapter/adapter_model.safetensors")));
    }

    @Test
    void unknownLoraModuleIsBadInput(@TempDir Path tmp) throws IOException {
        CliRun r = CliRun.inProcess("finetune", "--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(),
                "--data", data(tmp), "--out", tmp.resolve("run"), "--targets", "q_proj,qkv_proj");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown LoRA target module \"qkv_proj\""), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    @Test
    void vocabularyThatDoesNotFitIsBadInput(@TempDir Path tmp) throws IOException {
        Path tokenizer = largerTokenizer(tmp);
        CliRun r = CliRun.inProcess("train", "--model", OwnModels.stories(), "--tokenizer", tokenizer,
                "--data", data(tmp), "--out", tmp.resolve("run"), "--steps", "2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(tokenizer + ": the tokenizer has 600 pieces but the vocabulary of " + OwnModels.stories() + " has 512"), r.err());
        assertFalse(Files.exists(tmp.resolve("run")));
    }
}

package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.GgufWriter;
import org.knowcoder.tensor.DType;
import org.knowcoder.testing.SharedFiles;
import org.knowcoder.tokenizer.spm.SentencePieceTokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code convert --to gguf}, GGUF models in {@code generate}, GGUF tokenizers, and GGUF files that must be refused. */
class GgufCommandsTest {
    @TempDir
    Path tmp;

    private static String greedyIds(Path model) {
        CliRun run = CliRun.inProcess("generate", "--model", model, "--prompt-ids", "1,5,9,33", "--output-ids", "--steps", "12",
                "--temperature", "0");
        assertEquals(0, run.code(), run.err());
        return run.out();
    }

    @Test
    void convertedModelsGenerateWhatTheSourceDoes() {
        String expected = greedyIds(OwnModels.tinyHf());
        for (String[] how : new String[][] {{"--dtype", "f32"}, {"--dtype", "bf16"}, {"--dtype", "f16"}}) {
            Path gguf = tmp.resolve(how[1] + ".gguf");
            CliRun run = CliRun.inProcess("convert", "--model", OwnModels.tinyHf(), "--to", "gguf", "--out", gguf, how[0], how[1]);
            assertEquals(0, run.code(), run.err());
            if (how[1].equals("f32")) assertEquals(expected, greedyIds(gguf));
            else assertEquals(expected.lines().count(), greedyIds(gguf).lines().count());
        }
        Path q8 = tmp.resolve("q8.gguf"), back = tmp.resolve("back.bin");
        assertEquals(0, CliRun.inProcess("convert", "--model", OwnModels.tinyQ8(), "--to", "gguf", "--out", q8, "--quantize", "q8_0").code());
        // llama2.c version 2 copies GGUF's groups of 32 as they are: the same weights, the same kernels
        assertEquals(0, CliRun.inProcess("convert", "--model", q8, "--to", "llama2c", "--out", back, "--quantize", "q8_0").code());
        assertEquals(greedyIds(q8), greedyIds(back));
    }

    /** convert --quantize q4_0 and generate --quantize q4_0 quantize the same values alike: the same ids. */
    @Test
    void q4ConvertedAndQuantizedAtLoadGenerateAlike() {
        Path q4 = tmp.resolve("q4.gguf");
        CliRun run = CliRun.inProcess("convert", "--model", OwnModels.tinyQ8(), "--to", "gguf", "--out", q4, "--quantize", "q4_0");
        assertEquals(0, run.code(), run.err());
        CliRun atLoad = CliRun.inProcess("generate", "--model", OwnModels.tinyQ8(), "--quantize", "q4_0", "--prompt-ids", "1,5,9,33",
                "--output-ids", "--steps", "12", "--temperature", "0");
        assertEquals(0, atLoad.code(), atLoad.err());
        assertEquals(greedyIds(q4), atLoad.out());
    }

    @Test
    void q4kOfRowsThatAreNotWholeSuperBlocksIsBadInput() {
        CliRun.inProcess("generate", "--model", OwnModels.tinyQ8(), "--quantize", "q4_k", "--prompt-ids", "1", "--steps", "2")
                .assertBadInput("cannot quantize to Q4_K", "rows of 64", "multiple of 256");
        CliRun.inProcess("convert", "--model", OwnModels.tinyQ8(), "--to", "gguf", "--out", tmp.resolve("k.gguf"), "--quantize", "q5_0")
                .assertBadInput("--quantize q5_0", "q8_0, q4_0 or q4_k");
    }

    @Test
    void q8OfRowsThatAreNotWholeBlocksIsBadInput() {
        Path out = tmp.resolve("q8.gguf");
        CliRun.inProcess("convert", "--model", OwnModels.tinyHf(), "--to", "gguf", "--out", out, "--quantize", "q8_0")
                .assertBadInput("blk.0.ffn_down.weight", "rows of 176", "block of 32");
        assertTrue(Files.notExists(out));
    }

    /** The LLaMA-2 tokenizer carried through GGUF metadata encodes SentencePiece's cases exactly. */
    @Test
    void llama2TokenizerThroughGgufEncodesAsSentencePiece() throws IOException {
        Path model = SharedFiles.fixture("tokenizer/llama2-tokenizer.model");
        JsonNode cases = SharedFiles.json(SharedFiles.fixture("tokenizer/llama2-tokenizer.cases.json")).get("cases");
        SentencePieceTokenizer spm = SentencePieceTokenizer.load(model);
        Path gguf = tmp.resolve("vocab.gguf");
        try (LlamaWeights w = RandomWeights.create(new LlamaConfig(32, 64, 1, 2, 2, spm.vocabSize(), 16, 1e-5f, 10000f), true, 1)) {
            GgufWriter.write(w, gguf, DType.BF16, GgufVocabulary.metadata(spm, model));
        }
        SentencePieceTokenizer tok = GgufVocabulary.read(gguf);
        assertEquals(spm.bosId(), tok.bosId());
        assertEquals(spm.eosId(), tok.eosId());
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] ids = tok.encode(text, false, false);
            assertArrayEquals(SharedFiles.ints(c.get("ids")), ids, text);
            assertEquals(c.get("decoded").asText(), tok.decode(ids), text);
        }
    }

    /** stories260K with its tokenizer in one GGUF file: generate needs no --tokenizer and prints llama2.c's story. */
    @Test
    void stories260kGgufCarriesItsTokenizer() throws IOException {
        Path dir = SharedFiles.fixture("stories260K");
        Path gguf = tmp.resolve("stories.gguf");
        CliRun run = CliRun.inProcess("convert", "--model", dir.resolve("stories260K.bin"), "--to", "gguf", "--out", gguf,
                "--tokenizer", dir.resolve("tok512.model"));
        assertEquals(0, run.code(), run.err());
        SentencePieceTokenizer spm = SentencePieceTokenizer.load(dir.resolve("tok512.model")), tok = GgufVocabulary.read(gguf);
        for (String text : new String[] {"Once upon a time, there was a little girl named Lily.", "  two  spaces\tand\nlines", "日本 ü 123"}) {
            assertArrayEquals(spm.encode(text, true, false), tok.encode(text, true, false), text);
        }
        Path text = Files.writeString(tmp.resolve("text.txt"), "Once upon a time\n");
        run = CliRun.inProcess("tokenize", "--tokenizer", gguf, "--lines", "--input", text);
        assertEquals(0, run.code(), run.err());
        assertEquals(Arrays.stream(spm.encode("Once upon a time", false, false)).mapToObj(String::valueOf)
                .collect(java.util.stream.Collectors.joining(" ")), run.out().strip());
        String story = Files.readString(dir.resolve("stories260K_greedy_n200_stdout.txt"));
        run = CliRun.inProcess("generate", "--model", gguf, "--temperature", "0", "--steps", "200");
        assertEquals(0, run.code(), run.err());
        assertTrue(story.startsWith(run.out().strip().substring(0, 200)), run.out());
    }

    /** A valid F32 GGUF file of llama-tiny-gqa's shape for the bad-file cases to break. */
    private byte[] valid() throws IOException {
        Path gguf = tmp.resolve("valid.gguf");
        assertEquals(0, CliRun.inProcess("convert", "--model", OwnModels.tinyHf(), "--to", "gguf", "--out", gguf).code());
        return Files.readAllBytes(gguf);
    }

    private static int after(byte[] file, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + t.length <= file.length; i++) {
            if (Arrays.equals(file, i, i + t.length, t, 0, t.length)) return i + t.length;
        }
        throw new AssertionError(text + " not in the file");
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(tmp.resolve("bad.gguf"), bytes);
    }

    private static CliRun generate(Path model) {
        return CliRun.inProcess("generate", "--model", model, "--prompt-ids", "1,2", "--output-ids", "--steps", "3");
    }

    @Test
    void badFilesExit2NamingTheFile() throws IOException {
        byte[] valid = valid();
        byte[] magic = valid.clone();
        magic[0] = 'X';
        Path file = write(magic);
        generate(file).assertBadInput(file, "not a GGUF file");
        file = write(Arrays.copyOf(valid, 300));
        generate(file).assertBadInput(file, "truncated");
        file = write(Arrays.copyOf(valid, valid.length - 64));
        generate(file).assertBadInput(file, "tensor output.weight lies at data bytes", "truncated?");
        // token_embd.weight's info: name, uint32 n_dims, two uint64 dims, uint32 type, uint64 offset
        int type = after(valid, "token_embd.weight") + 4 + 16;
        byte[] q81 = valid.clone();
        ByteBuffer.wrap(q81).order(ByteOrder.LITTLE_ENDIAN).putInt(type, 9);
        file = write(q81);
        generate(file).assertBadInput(file, "tensor token_embd.weight has ggml type Q8_1, which this engine does not read yet");
        byte[] far = valid.clone();
        ByteBuffer.wrap(far).order(ByteOrder.LITTLE_ENDIAN).putLong(type + 4, 1L << 40);
        file = write(far);
        generate(file).assertBadInput(file, "tensor token_embd.weight lies at data bytes [1099511627776");
        byte[] key = valid.clone();
        key[after(key, "llama.block_count") - 1] = 'X';
        file = write(key);
        generate(file).assertBadInput(file, "missing metadata key llama.block_count");
        Path noTokenizer = write(valid);
        CliRun.inProcess("tokenize", "--tokenizer", noTokenizer, "--lines").assertBadInput(noTokenizer, "holds no tokenizer");
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tokenize} and {@code train-tokenizer} per the CLI contract, and {@code generate} with a SentencePiece model. */
class TokenizeCommandTest {
    @TempDir
    Path tmp;

    private Path llama() {
        return Fixtures.file("tokenizer/llama2-tokenizer.model");
    }

    private Path input(String... lines) throws IOException {
        Path file = Files.createTempFile(tmp, "in", ".jsonl");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void encodesJsonLines() throws IOException {
        CliRun run = CliRun.inProcess("tokenize", "--tokenizer", llama(), "--input", input("{\"text\": \"Hello world\"}", "{\"text\": \"\"}"));
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertEquals("{\"ids\":[15043,3186],\"pieces\":[\"▁Hello\",\"▁world\"]}\n{\"ids\":[],\"pieces\":[]}\n", run.out()));
        CliRun bos = CliRun.inProcess("tokenize", "--bos", "--tokenizer", llama(), "--input", input("{\"text\": \"Hello\"}"));
        assertEquals("{\"ids\":[1,15043],\"pieces\":[\"<s>\",\"▁Hello\"]}\n", bos.out());
    }

    @Test
    void decodesJsonLines() throws IOException {
        CliRun run = CliRun.inProcess("tokenize", "--decode", "--tokenizer", llama(), "--input", input("{\"ids\": [1, 15043, 3186, 29871, 243, 162, 155, 131]}"));
        assertAll(() -> assertEquals(0, run.code(), run::err), () -> assertEquals("{\"text\":\"Hello world 😀\"}\n", run.out()));
    }

    @Test
    void linesModeWritesIdsOrPiecesLikeSpmEncode() throws IOException {
        Path text = Files.writeString(tmp.resolve("t.txt"), "Hello world\nresults = [Person(\"Ann\")]\n");
        CliRun ids = CliRun.inProcess("tokenize", "--lines", "--tokenizer", llama(), "--input", text);
        CliRun pieces = CliRun.inProcess("tokenize", "--lines", "--pieces", "--tokenizer", llama(), "--input", text);
        // what spm_encode --output_format=id / piece prints for this file
        assertAll(() -> assertEquals("15043 3186\n2582 353 518 7435 703 2744 29876 13531\n", ids.out()),
                () -> assertEquals("▁Hello ▁world\n▁results ▁= ▁[ Person (\" An n \")]\n", pieces.out()));
    }

    /** On a tokenizer written here (OwnModels): these check our own errors, so they need no fixture. */
    @Test
    void badLinesNameTheLine() throws IOException {
        Path notJson = input("{\"text\": \"ok\"}", "{not json");
        CliRun.inProcess("tokenize", "--tokenizer", OwnModels.storiesTokenizer(), "--input", notJson).assertBadInput(notJson + " line 2", "not a JSON object");
        Path noText = input("{\"ids\": [1]}");
        CliRun.inProcess("tokenize", "--tokenizer", OwnModels.storiesTokenizer(), "--input", noText).assertBadInput("line 1", "expected {\"text\"");
        Path outOfRange = input("{\"ids\": [1, 512]}");
        CliRun.inProcess("tokenize", "--decode", "--tokenizer", OwnModels.storiesTokenizer(), "--input", outOfRange)
                .assertBadInput("line 1", "id 512 at index 1 is not in the vocabulary [0, 512)");
        Path badUtf8 = Files.write(tmp.resolve("bad.jsonl"), new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        CliRun.inProcess("tokenize", "--tokenizer", OwnModels.storiesTokenizer(), "--input", badUtf8).assertBadInput("line 1", "not a JSON object");
    }

    @Test
    void corruptModelIsBadInput() throws IOException {
        Path model = Files.write(tmp.resolve("corrupt.model"), new byte[] {0x0A, 0x7F, 0x01});
        CliRun.inProcess("tokenize", "--tokenizer", model, "--input", input("{\"text\": \"x\"}"))
                .assertBadInput(model, "not a SentencePiece model");
    }

    private Path trainingCorpus() throws IOException {
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < 400; i++) corpus.append("results = [Person(\"Ann\"), Organization(\"Acme\")] in line ").append(i % 17).append('\n');
        return Files.writeString(tmp.resolve("corpus.txt"), corpus);
    }

    @Test
    void trainsAModelThatTokenizeLoads() throws IOException {
        Path text = trainingCorpus();
        Path model = tmp.resolve("out/small.model");
        CliRun train = CliRun.inProcess("train-tokenizer", "--input", text, "--vocab-size", "320", "--output", model);
        assertAll(() -> assertEquals(0, train.code(), train::err),
                () -> assertTrue(train.err().contains("wrote " + model + " (320 pieces)"), train::err));
        CliRun run = CliRun.inProcess("tokenize", "--lines", "--pieces", "--tokenizer", model, "--input", Files.writeString(tmp.resolve("q.txt"), "results = [Person(\"Ann\")]\n"));
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertEquals("▁results▁=▁[Person(\"Ann\")]\n", run.out().replace(" ", ""), run::out));
    }

    @Test
    void trainsAUnigramModel() throws IOException {
        Path text = trainingCorpus();
        Path model = tmp.resolve("uni.model");
        CliRun train = CliRun.inProcess("train-tokenizer", "--model-type", "unigram", "--input", text, "--vocab-size", "303", "--output", model);
        assertAll(() -> assertEquals(0, train.code(), train::err),
                () -> assertTrue(train.err().contains("EM round"), train::err),
                () -> assertTrue(train.err().contains("wrote " + model + " (303 pieces)"), train::err));
        String line = "results = [Person(\"Ann\")] in line 12";
        CliRun run = CliRun.inProcess("tokenize", "--lines", "--pieces", "--tokenizer", model, "--input", Files.writeString(tmp.resolve("q.txt"), line + "\n"));
        assertAll(() -> assertEquals(0, run.code(), run::err),
                () -> assertEquals("▁" + line.replace(' ', '▁'), run.out().strip().replace(" ", ""), run::out),
                () -> assertTrue(run.out().strip().split(" ").length < line.length() * 2 / 3, run::out));
    }

    @Test
    void trainingRejectsWhatItCannotDo() throws IOException {
        Path text = Files.writeString(tmp.resolve("c.txt"), "a b c\n");
        CliRun.inProcess("train-tokenizer", "--input", text, "--vocab-size", "300", "--model-type", "word", "--output", tmp.resolve("m.model"))
                .assertBadInput("only bpe and unigram can be trained");
        CliRun.inProcess("train-tokenizer", "--input", tmp.resolve("missing.txt"), "--vocab-size", "300", "--output", tmp.resolve("m.model"))
                .assertBadInput("missing.txt");
        CliRun small = CliRun.inProcess("train-tokenizer", "--input", text, "--vocab-size", "100", "--output", tmp.resolve("m.model"));
        assertAll(() -> assertEquals(2, small.code()), // after the progress lines, one line says why
                () -> assertTrue(small.err().lines().toList().getLast().startsWith("knowcoder: --vocab-size 100 is too small"), small::err));
        assertTrue(Files.notExists(tmp.resolve("m.model")), "nothing is written when training fails");
    }

    /** The stories260K greedy run through its SentencePiece .model prints exactly what llama2.c prints with tok512.bin. */
    @Test
    void generateWithSentencePieceModel() throws IOException {
        CliRun run = CliRun.inProcess("generate", "--model", Fixtures.stories(), "--tokenizer", Fixtures.file("stories260K/tok512.model"),
                "--temperature", "0", "--steps", "200");
        String expected = Files.readString(Fixtures.file("stories260K/stories260K_greedy_n200_stdout.txt"));
        assertAll(() -> assertEquals(0, run.code(), run::err), () -> assertEquals(expected, run.out()));
    }
}

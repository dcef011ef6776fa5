package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.format.HuggingFaceWriter;
import org.knowcoder.tensor.DType;
import org.knowcoder.testing.Llama2cTokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Prompts that do not fit the model: longer than its context, or ids outside its vocabulary (a model
 * of stories260K's shape, written here: 512 and 512).
 */
class PromptBadInputTest {

    private static CliRun generate(Object... promptArgs) {
        List<Object> args = new ArrayList<>(List.of("generate", "--model", OwnModels.stories(),
                "--tokenizer", OwnModels.storiesTokenizer(), "--steps", "3"));
        args.addAll(List.of(promptArgs));
        return CliRun.inProcess(args.toArray());
    }

    @Test
    void moreIdsThanTheContext() {
        String ids = IntStream.range(0, 600).mapToObj(i -> "5").collect(Collectors.joining(","));
        generate("--prompt-ids", ids).assertBadInput(OwnModels.stories(), "the prompt has 601 tokens (BOS included)", "context of 512");
    }

    @Test
    void moreTextThanTheContext() {
        generate("--prompt", "zebra quantum ".repeat(300)).assertBadInput(OwnModels.stories(), "more than the model's context of 512");
    }

    @Test
    void idAboveTheVocabulary() {
        generate("--prompt-ids", "1,9999", "--output-ids")
                .assertBadInput(OwnModels.stories(), "prompt token 1 is id 9999, outside the model's vocabulary of ids 0..511");
    }

    @Test
    void negativeId() {
        generate("--prompt-ids", "1,20,-3").assertBadInput(OwnModels.stories(), "prompt token 2 is id -3");
    }

    /** llama2.c's encoder starts every text with the piece " ": a tokenizer.bin without it is a bad file, not our bug. */
    @Test
    void tokenizerWithoutTheDummyPrefixPiece(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
        java.util.List<String> pieces = java.util.stream.IntStream.range(0, 41).mapToObj(i -> "w" + i).toList();
        java.nio.file.Path tok = java.nio.file.Files.write(tmp.resolve("tokenizer.bin"), Llama2cTokenizers.of(pieces));
        CliRun.inProcess("generate", "--model", OwnModels.stories(), "--tokenizer", tok, "--prompt", "hi", "--steps", "3")
                .assertBadInput(tok, "no piece \" \"");
    }

    /**
     * Issue 23 item 18: a prompt that already fills --steps (positions, the prompt's included) would
     * generate nothing and say nothing; it is bad input. A prompt of exactly --steps positions still
     * generates one token. A random model written here, so this runs without ../shared.
     */
    @Test
    void promptFillingTheSteps(@TempDir Path tmp) throws IOException {
        try (LlamaWeights w = RandomWeights.create(new LlamaConfig(16, 32, 1, 2, 1, 40, 16, 1e-5f, 10000f), true, 7)) {
            HuggingFaceWriter.write(w, tmp, DType.F32);
        }
        CliRun.inProcess("generate", "--model", tmp, "--prompt-ids", "1,5,6,7", "--output-ids", "--steps", "3", "--threads", "1")
                .assertBadInput("the prompt has 4 tokens (BOS included), more than --steps 3", "raise --steps");
        CliRun full = CliRun.inProcess("generate", "--model", tmp, "--prompt-ids", "1,5,6", "--output-ids", "--steps", "3", "--threads", "1",
                "--temperature", "0");
        assertEquals(0, full.code(), full.err());
        assertEquals(1, full.out().strip().split(" ").length, full.out());
    }
}

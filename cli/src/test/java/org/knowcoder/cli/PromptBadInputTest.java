package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.HuggingFaceWriter;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Prompts that do not fit the model: longer than its context, or ids outside its vocabulary (stories260K: 512 and 512). */
class PromptBadInputTest {

    private static CliRun generate(Object... promptArgs) {
        List<Object> args = new ArrayList<>(List.of("generate", "--model", Fixtures.stories(),
                "--tokenizer", Fixtures.storiesTokenizer(), "--steps", "3"));
        args.addAll(List.of(promptArgs));
        return CliRun.inProcess(args.toArray());
    }

    @Test
    void moreIdsThanTheContext() {
        String ids = IntStream.range(0, 600).mapToObj(i -> "5").collect(Collectors.joining(","));
        generate("--prompt-ids", ids).assertBadInput(Fixtures.stories(), "the prompt has 601 tokens (BOS included)", "context of 512");
    }

    @Test
    void moreTextThanTheContext() {
        generate("--prompt", "zebra quantum ".repeat(300)).assertBadInput(Fixtures.stories(), "more than the model's context of 512");
    }

    @Test
    void idAboveTheVocabulary() {
        generate("--prompt-ids", "1,9999", "--output-ids")
                .assertBadInput(Fixtures.stories(), "prompt token 1 is id 9999, outside the model's vocabulary of ids 0..511");
    }

    @Test
    void negativeId() {
        generate("--prompt-ids", "1,20,-3").assertBadInput(Fixtures.stories(), "prompt token 2 is id -3");
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

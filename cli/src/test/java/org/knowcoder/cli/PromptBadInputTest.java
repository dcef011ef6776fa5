package org.knowcoder.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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
}

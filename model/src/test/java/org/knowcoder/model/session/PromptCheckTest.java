package org.knowcoder.model.session;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaConfig;

import org.knowcoder.io.BadInputException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Generator#checkPrompt}: what a prompt must be before anything runs, said in words. */
class PromptCheckTest {
    private static final LlamaConfig TINY = new LlamaConfig(8, 16, 1, 2, 1, 10, 4, 1e-5f, 10000f);

    private static String problem(int... prompt) {
        return assertThrows(BadInputException.class, () -> Generator.checkPrompt(prompt, TINY)).getMessage();
    }

    @Test
    void acceptsAPromptThatFillsTheContext() {
        assertDoesNotThrow(() -> Generator.checkPrompt(new int[] {1, 9, 0, 5}, TINY));
    }

    @Test
    void rejectsAnEmptyPrompt() {
        assertEquals("the prompt must hold at least one token (BOS)", problem());
    }

    @Test
    void rejectsAPromptLongerThanTheContext() {
        assertEquals("the prompt has 5 tokens (BOS included), more than the model's context of 4", problem(1, 2, 3, 4, 5));
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        assertEquals("prompt token 2 is id 10, outside the model's vocabulary of ids 0..9", problem(1, 3, 10));
        assertEquals("prompt token 1 is id -1, outside the model's vocabulary of ids 0..9", problem(1, -1));
    }
}

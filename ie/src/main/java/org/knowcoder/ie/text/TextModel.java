package org.knowcoder.ie.text;

import org.knowcoder.ie.constrain.ResultsGrammar;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What text extraction needs of a model: an answer to a prompt (asynchronous, so that many
 * prompts can be decoded together), and token counts to size chunks to its context.
 */
public interface TextModel {
    /**
     * The code generated for {@code prompt} (cut before {@code """}); {@code stream}, or null,
     * receives it as it is written. Prompts of one {@code group} (equal groups: one query's prompts)
     * share a long prefix, which a model computes once for all of them if it answers them together.
     * A constrained model keeps the answer within {@code grammar}; another ignores it.
     */
    CompletableFuture<String> answer(Object group, String prompt, ResultsGrammar grammar, Consumer<String> stream);

    /** Tokens of {@code text} without BOS. */
    int tokens(String text);

    /** Tokens a whole prompt may have (the context less the room for the answer). */
    int promptRoom();
}

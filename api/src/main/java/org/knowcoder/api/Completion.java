package org.knowcoder.api;

/**
 * A prompt's continuation from {@link KnowCoder#complete}.
 *
 * @param text             the generated text, a stop string not included
 * @param finish           why it ended
 * @param promptTokens     the prompt's tokens, BOS included
 * @param completionTokens tokens generated (EOS not counted)
 */
public record Completion(String text, Finish finish, int promptTokens, int completionTokens) {
    /** STOP: the model ended it (EOS) or a stop string did; LENGTH: the token limit or the context's end did. */
    public enum Finish { STOP, LENGTH }
}

package org.knowcoder.ie.prompt;

/**
 * The chat wrapper of the released KnowCoder-7B models (DESIGN "KnowCoder prompt"): a one-line
 * system text, then {@code Input:}, the query, and {@code Output:}, after which the model writes
 * {@code results = [...]}.
 */
public final class KnowCoderPrompt {
    public static final String SYSTEM = "You are a highly skilled assistant at digesting and extracting information from "
            + "textual content. Below is an input containing standard type definitions and textual content. Please complete "
            + "it with the extracted information in the form of structured code.";

    private KnowCoderPrompt() {}

    /** The full model input for one query. */
    public static String wrap(String query) {
        return SYSTEM + "\nInput:\n" + query + "\nOutput:\n";
    }
}

package org.knowcoder.ie.trainingdata;

import org.knowcoder.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;

/** Token ids of training texts; the tokenizer may be null (JSON lines only), then nothing is encoded. */
final class Tokens {
    private final Tokenizer tokenizer;

    Tokens(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** BOS, the text, EOS; null without a tokenizer. */
    int[] text(String text) {
        return tokenizer == null ? null : tokenizer.encode(text, true, true);
    }

    /** How many tokens a text has: exact with a tokenizer, else estimated as a quarter of its UTF-8 bytes. */
    int count(String text) {
        return tokenizer == null ? (text.getBytes(StandardCharsets.UTF_8).length + 3) / 4 : tokenizer.encode(text, false, false).length;
    }

    /** BOS, model input, output, EOS, encoded as one text so the tokens are those the model sees. */
    int[] instruction(String modelInput, String output) {
        return tokenizer == null ? null : tokenizer.encode(modelInput + output, true, true);
    }

    /**
     * Where the output starts in {@link #instruction}'s ids: the length of the prefix shared with the
     * model input's own encoding, which is what the model is given at inference.
     */
    int outputStart(String modelInput, int[] ids) {
        if (tokenizer == null) return 0;
        int[] prompt = tokenizer.encode(modelInput, true, false);
        int n = Math.min(prompt.length, ids.length);
        int i = 0;
        while (i < n && prompt[i] == ids[i]) i++;
        return i;
    }
}

package org.knowcoder.ie.data;

import org.knowcoder.ie.Mention;

import java.util.List;

/**
 * A sentence given as tokens, turned into text by joining the tokens with single spaces (as the
 * KnowCoder and UIE data builders do), with each token's character offsets.
 */
final class TokenText {
    final String text;
    private final int[] starts;

    TokenText(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        starts = new int[tokens.size() + 1];
        for (int i = 0; i < tokens.size(); i++) {
            if (i > 0) sb.append(' ');
            starts[i] = sb.length();
            sb.append(tokens.get(i));
        }
        starts[tokens.size()] = sb.length() + 1; // so that tokenEnd(last) is the text's length
        text = sb.toString();
    }

    int size() {
        return starts.length - 1;
    }

    /** The mention covering tokens [first, endExclusive). */
    Mention mention(String type, int first, int endExclusive) {
        return Mention.of(type, text, starts[first], starts[endExclusive] - 1);
    }
}

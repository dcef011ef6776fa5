package org.knowcoder.ie.extract;

import java.util.Arrays;

/**
 * KnowCoder's rule for over-long prompts: keep the first 1500 and the last 2000 tokens. A model
 * whose context cannot hold that plus room to answer gets the same 3:4 split of what it can hold.
 */
public final class PromptTruncation {
    static final int HEAD = 1500, TAIL = 2000;

    private PromptTruncation() {}

    /** {@code tokens}, or their head and tail when there are more than {@code budget} (at most 3500) of them. */
    public static int[] apply(int[] tokens, int budget) {
        int limit = Math.min(budget, HEAD + TAIL);
        if (tokens.length <= limit) return tokens;
        int head = (int) ((long) limit * HEAD / (HEAD + TAIL)), tail = limit - head;
        int[] out = Arrays.copyOf(tokens, limit);
        System.arraycopy(tokens, tokens.length - tail, out, head, tail);
        return out;
    }
}

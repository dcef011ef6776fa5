package org.knowcoder.ie.constrain;

import java.util.Arrays;

/**
 * The suffix automaton of a sentence's UTF-8 bytes: a state per set of substrings, so "is this span
 * still a substring of the sentence" is one table lookup per byte, whatever the sentence's length
 * or its repeated words. Built in time linear in the sentence (at most 2n states).
 */
final class SentenceAutomaton {
    static final int ROOT = 0, NONE = -1;

    /** next[state * 256 + byte]: the state after that byte, or NONE. */
    private final int[] next;
    private final int length;

    SentenceAutomaton(byte[] text) {
        length = text.length;
        int cap = 2 * text.length + 2;
        int[] next = new int[cap * 256], link = new int[cap], len = new int[cap];
        Arrays.fill(next, NONE);
        link[ROOT] = NONE;
        int states = 1, last = ROOT;
        for (byte value : text) {
            int c = value & 0xFF, cur = states++;
            len[cur] = len[last] + 1;
            int p = last;
            while (p != NONE && next[p * 256 + c] == NONE) {
                next[p * 256 + c] = cur;
                p = link[p];
            }
            if (p == NONE) {
                link[cur] = ROOT;
            } else {
                int q = next[p * 256 + c];
                if (len[p] + 1 == len[q]) {
                    link[cur] = q;
                } else {
                    int clone = states++;
                    System.arraycopy(next, q * 256, next, clone * 256, 256);
                    len[clone] = len[p] + 1;
                    link[clone] = link[q];
                    while (p != NONE && next[p * 256 + c] == q) {
                        next[p * 256 + c] = clone;
                        p = link[p];
                    }
                    link[q] = clone;
                    link[cur] = clone;
                }
            }
            last = cur;
        }
        this.next = Arrays.copyOf(next, states * 256);
    }

    /** The state after {@code b} (0..255), or NONE when the span would no longer be a substring. */
    int step(int state, int b) {
        return next[state * 256 + b];
    }

    boolean isEmpty() {
        return length == 0;
    }
}

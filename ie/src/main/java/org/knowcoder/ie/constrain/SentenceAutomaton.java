package org.knowcoder.ie.constrain;

import java.util.Arrays;

/**
 * The suffix automaton of a sentence's UTF-8 bytes: a state per set of substrings, so "is this span
 * still a substring of the sentence" is one lookup per byte, whatever the sentence's length or its
 * repeated words. Built in time linear in the sentence (at most 2n states, 3n edges, kept as sorted
 * edge lists so that the many prompts of a batch hold little). Each state also knows whether its
 * substrings end in whitespace (a span may not) and whether one that does not can still be reached.
 */
final class SentenceAutomaton {
    static final int ROOT = 0, NONE = -1;

    /** State s's edges are edgeBytes/edgeTargets[edgeFrom[s], edgeFrom[s + 1]), sorted by byte. */
    private final int[] edgeFrom, edgeTargets;
    private final byte[] edgeBytes;
    /** Whether the state's substrings end in an ASCII whitespace byte. */
    private final boolean[] blank;
    /** Whether from the state a substring that does not end in whitespace is reachable (itself included). */
    private final boolean[] live;

    SentenceAutomaton(byte[] text) {
        int cap = 2 * text.length + 2;
        int[] next = new int[cap * 256], link = new int[cap], len = new int[cap];
        boolean[] blankEnd = new boolean[cap];
        Arrays.fill(next, NONE);
        link[ROOT] = NONE;
        int states = 1, last = ROOT;
        for (byte value : text) {
            int c = value & 0xFF, cur = states++;
            len[cur] = len[last] + 1;
            blankEnd[cur] = isBlank(c);
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
                    blankEnd[clone] = isBlank(c);
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
        edgeFrom = new int[states + 1];
        int edges = 0;
        for (int i = 0; i < states * 256; i++) if (next[i] != NONE) edges++;
        edgeBytes = new byte[edges];
        edgeTargets = new int[edges];
        int e = 0;
        for (int s = 0; s < states; s++) {
            edgeFrom[s] = e;
            for (int c = 0; c < 256; c++) {
                if (next[s * 256 + c] == NONE) continue;
                edgeBytes[e] = (byte) c;
                edgeTargets[e++] = next[s * 256 + c];
            }
        }
        edgeFrom[states] = e;
        blank = Arrays.copyOf(blankEnd, states);
        live = new boolean[states];
        // an edge always leads to a state of longer substrings: the longest first settles every target before its sources
        Integer[] byLength = new Integer[states];
        for (int s = 0; s < states; s++) byLength[s] = s;
        Arrays.sort(byLength, (a, b) -> Integer.compare(len[b], len[a]));
        for (int s : byLength) {
            boolean ok = s != ROOT && !blank[s];
            for (int i = edgeFrom[s]; i < edgeFrom[s + 1] && !ok; i++) ok = live[edgeTargets[i]];
            live[s] = ok;
        }
    }

    /** The state after {@code b} (0..255), or NONE when the span would no longer be a substring that can end well. */
    int step(int state, int b) {
        int lo = edgeFrom[state], hi = edgeFrom[state + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1, m = edgeBytes[mid] & 0xFF;
            if (m < b) lo = mid + 1;
            else if (m > b) hi = mid - 1;
            else return live[edgeTargets[mid]] ? edgeTargets[mid] : NONE;
        }
        return NONE;
    }

    /** Whether a span may end at {@code state}: it holds text and does not end in whitespace. */
    boolean closable(int state) {
        return state != ROOT && !blank[state];
    }

    /** Whether the sentence has a span to quote: a byte that is not whitespace. */
    boolean quotable() {
        return live[ROOT];
    }

    static boolean isBlank(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == 0x0B;
    }
}

package org.knowcoder.ie.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The spans a results block may quote from its sentence, as an automaton over UTF-8 bytes: a span is
 * a substring that starts and ends on word boundaries, with no whitespace at either end, and holds a
 * letter or digit (3 of the 236,672 gold spans of all datasets hold none: "?", ")"). A boundary
 * lies between two characters unless both are letters or digits ({@link #joins}), so "Paris" and "Paris-based" are
 * spans of "Paris-based firms", "aris" and "Pari" are not: a small model allowed to cut a word cut
 * names short (an {@code Organization("M")} where the sentence had "Middlesex").
 *
 * <p>A state is the set of sentence positions the bytes typed so far can end at, having started at
 * a word start, and whether those bytes hold a letter or digit. States are built lazily, on the first step that reaches them, and shared by equal
 * sets: a span is matched in one lookup per byte, and a prompt holds only the states its decoding
 * visited (a sentence of n bytes has O(n²) of them in the worst case, its decoding a few hundred).
 * Synchronized: the answers of one grammar may be decoded from several threads.
 */
final class SentenceAutomaton {
    static final int ROOT = 0, NONE = -1;
    private static final int UNKNOWN = -2;

    private final byte[] text;
    /** Whether a span may end at byte position j: after a character that is not whitespace, on a word boundary. */
    private final boolean[] end;
    /** Whether some end lies at position j or after it. */
    private final boolean[] endFrom;
    /** Whether the character at byte position j is a letter or digit (of any script). */
    private final boolean[] alnum;
    /** Whether from position j a span can take in a letter or digit and then end. */
    private final boolean[] wordFrom;
    private final List<State> states = new ArrayList<>();
    private final Map<Key, Integer> ids = new HashMap<>();

    /**
     * A state: its positions, whether its bytes hold a letter or digit, whether a span may end here,
     * the distinct bytes that continue it (sorted) and their targets (UNKNOWN until stepped).
     */
    private record State(int[] at, boolean word, boolean closable, byte[] edges, int[] targets) {}

    /** A state's identity: its positions and whether its bytes hold a letter or digit. */
    private record Key(int[] at, boolean word) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && word == k.word && Arrays.equals(at, k.at);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(at) + Boolean.hashCode(word);
        }
    }

    SentenceAutomaton(String sentence) {
        text = sentence.getBytes(StandardCharsets.UTF_8);
        int n = text.length;
        boolean[] boundary = new boolean[n + 1], wordAt = new boolean[n + 1], wordBefore = new boolean[n + 1];
        alnum = new boolean[n + 1];
        boundary[n] = true;
        boolean previousWord = false;
        for (int c = 0, i = 0; c < sentence.length(); ) {
            int cp = sentence.codePointAt(c);
            boolean word = joins(cp);
            alnum[i] = Character.isLetterOrDigit(cp);
            boundary[i] = true;
            wordAt[i] = word;
            wordBefore[i] = previousWord;
            previousWord = word;
            c += Character.charCount(cp);
            // its UTF-8 bytes, as getBytes wrote them: a lone surrogate is one '?'
            i += cp < 0x80 || Character.isSurrogate((char) cp) ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }
        wordBefore[n] = previousWord;
        end = new boolean[n + 1];
        endFrom = new boolean[n + 2];
        wordFrom = new boolean[n + 2];
        List<Integer> starts = new ArrayList<>();
        for (int j = n; j >= 0; j--) {
            boolean cut = wordBefore[j] && wordAt[j]; // inside a word
            end[j] = j > 0 && boundary[j] && !isBlank(text[j - 1] & 0xFF) && !cut;
            endFrom[j] = end[j] || endFrom[j + 1];
            wordFrom[j] = alnum[j] && endFrom[j + 1] || wordFrom[j + 1];
            if (j < n && boundary[j] && !isBlank(text[j] & 0xFF) && !cut && wordFrom[j]) starts.add(j);
        }
        intern(starts.reversed().stream().mapToInt(Integer::intValue).toArray(), false);
    }

    /** The state after {@code b} (0..255), or NONE when the span would no longer be one that can end on a boundary. */
    synchronized int step(int state, int b) {
        State s = states.get(state);
        int i = Arrays.binarySearch(s.edges, (byte) b);
        if (i < 0) return NONE;
        if (s.targets[i] == UNKNOWN) {
            // every position of a state ends the same bytes, so the byte is the same character at each
            boolean holds = s.word;
            for (int j : s.at) if (j < text.length && text[j] == (byte) b) holds |= alnum[j];
            int[] to = new int[s.at.length];
            int k = 0;
            for (int j : s.at) if (j < text.length && text[j] == (byte) b && (holds ? endFrom[j + 1] : wordFrom[j + 1])) to[k++] = j + 1;
            s.targets[i] = k == 0 ? NONE : intern(Arrays.copyOf(to, k), holds);
        }
        return s.targets[i];
    }

    /** Whether a span may end at {@code state}: it holds a letter or digit and ends on a word boundary, not in whitespace. */
    synchronized boolean closable(int state) {
        return states.get(state).closable;
    }

    /** Whether the sentence has a span to quote. */
    synchronized boolean quotable() {
        return states.get(ROOT).at.length > 0;
    }

    private int intern(int[] at, boolean word) {
        return ids.computeIfAbsent(new Key(at, word), key -> {
            byte[] next = new byte[at.length];
            int k = 0;
            boolean closable = false;
            for (int j : at) {
                if (j < text.length) next[k++] = text[j];
                closable |= word && end[j];
            }
            Arrays.sort(next, 0, k);
            int distinct = 0;
            for (int i = 0; i < k; i++) if (i == 0 || next[i] != next[i - 1]) next[distinct++] = next[i];
            int[] targets = new int[distinct];
            Arrays.fill(targets, UNKNOWN);
            states.add(new State(at, word, closable, Arrays.copyOf(next, distinct), targets));
            return states.size() - 1;
        });
    }

    /**
     * Whether the character joins a letter or digit beside it into one word: letters and digits of
     * scripts written with spaces between words. Han, kana, Thai and the like are written without
     * them, so each of their characters is a word of its own and a span may start or end at any.
     */
    private static boolean joins(int cp) {
        if (!Character.isLetterOrDigit(cp)) return false;
        return switch (Character.UnicodeScript.of(cp)) {
            case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR, TIBETAN -> false;
            default -> true;
        };
    }

    static boolean isBlank(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == 0x0B;
    }
}

package org.knowcoder.tokenizer.spm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * SentencePiece's BPE training over word counts: start from the covered characters (others stand
 * as an unmergeable unknown character), then repeatedly merge the most frequent adjacent pair
 * whose concatenation is a valid piece (ties: fewer characters, then code point order), until the
 * vocabulary is full. Merged pieces come out in merge order, then the characters by frequency;
 * scores are minus the position, so the encoder's highest-score-first merges replay training.
 *
 * <p>Pair counts change incrementally: a merge rewrites only the words that hold the pair (each
 * pair keeps a list of the words it occurs in), and a lazy max-heap re-ranks changed pairs.
 */
final class BpeTrainer {
    private final PieceRules rules;
    private final Consumer<String> progress;

    /** Symbols: code point strings, by id. */
    private final List<int[]> symbols = new ArrayList<>();
    private final java.util.HashMap<String, Integer> symbolIds = new java.util.HashMap<>();

    private int[][] words;
    private long[] wordFreq;

    private final LongIntMap pairIndex = new LongIntMap(1 << 16);
    private long[] pairCount = new long[1 << 12];
    private int[] pairLeft = new int[1 << 12], pairRight = new int[1 << 12];
    private byte[] pairValidity = new byte[1 << 12]; // 0 unknown, 1 valid, 2 invalid
    private int[][] pairWords = new int[1 << 12][];
    private int[] pairWordCount = new int[1 << 12];
    private int pairs;
    /** Pairs whose count changed during the current merge. */
    private final IntSet changed = new IntSet();

    BpeTrainer(PieceRules rules, Consumer<String> progress) {
        this.rules = rules;
        this.progress = progress;
    }

    /** The normal pieces, best first: {@code merges} merged pieces, then {@code required} characters. */
    List<String> train(Map<String, Long> wordCounts, List<Integer> required, int merges) {
        java.util.Set<Integer> covered = new java.util.HashSet<>(required);
        int unknown = symbol(new int[] {PieceRules.UNKNOWN_CHAR});
        words = new int[wordCounts.size()][];
        wordFreq = new long[wordCounts.size()];
        int w = 0;
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            int[] cps = e.getKey().codePoints().toArray();
            int[] syms = new int[cps.length];
            for (int i = 0; i < cps.length; i++) syms[i] = covered.contains(cps[i]) ? symbol(new int[] {cps[i]}) : unknown;
            words[w] = syms;
            wordFreq[w++] = e.getValue();
        }
        for (int i = 0; i < words.length; i++) countPairs(i, +1);
        PriorityQueue<long[]> heap = new PriorityQueue<>(this::rank);
        for (int p = 0; p < pairs; p++) if (pairCount[p] > 0) heap.add(new long[] {pairCount[p], p});

        List<String> pieces = new ArrayList<>();
        int[] wordStamp = new int[words.length];
        while (pieces.size() < merges && !heap.isEmpty()) {
            long[] top = heap.poll();
            int p = (int) top[1];
            if (top[0] != pairCount[p] || pairCount[p] <= 0 || !isValid(p)) continue; // stale or not a valid piece
            int left = pairLeft[p], right = pairRight[p];
            int merged = symbol(concat(symbols.get(left), symbols.get(right)));
            pieces.add(codePointString(symbols.get(merged)));
            int round = pieces.size();
            changed.clear();
            int[] occurrences = pairWords[p];
            for (int k = 0, n = pairWordCount[p]; k < n; k++) {
                int word = occurrences[k];
                if (wordStamp[word] == round || !contains(words[word], left, right)) continue;
                wordStamp[word] = round;
                countPairs(word, -1);
                words[word] = replace(words[word], left, right, merged);
                countPairs(word, +1);
            }
            // every pair whose count moved gets a fresh heap entry; its older entries are now stale
            for (int q : changed.keys()) if (pairCount[q] > 0) heap.add(new long[] {pairCount[q], q});
            if (round % 1000 == 0) progress.accept(String.format("bpe: %,d of %,d merges, last \"%s\"", round, merges, pieces.getLast()));
        }
        for (int c : required) pieces.add(new String(Character.toChars(c)));
        return pieces;
    }

    /** Heap order: higher count first, then the shorter merged piece, then code point order; compares the halves in place. */
    private int rank(long[] a, long[] b) {
        if (a[0] != b[0]) return Long.compare(b[0], a[0]);
        int[] xl = symbols.get(pairLeft[(int) a[1]]), xr = symbols.get(pairRight[(int) a[1]]);
        int[] yl = symbols.get(pairLeft[(int) b[1]]), yr = symbols.get(pairRight[(int) b[1]]);
        int n = xl.length + xr.length;
        if (n != yl.length + yr.length) return Integer.compare(n, yl.length + yr.length);
        for (int i = 0; i < n; i++) {
            int x = i < xl.length ? xl[i] : xr[i - xl.length], y = i < yl.length ? yl[i] : yr[i - yl.length];
            if (x != y) return Integer.compare(x, y);
        }
        return 0;
    }

    private boolean isValid(int p) {
        if (pairValidity[p] == 0) pairValidity[p] = rules.isValid(concat(symbols.get(pairLeft[p]), symbols.get(pairRight[p]))) ? (byte) 1 : 2;
        return pairValidity[p] == 1;
    }

    /** Adds {@code sign * frequency} to every adjacent pair of the word, noting the pairs it changed. */
    private void countPairs(int word, int sign) {
        int[] syms = words[word];
        for (int i = 0; i + 1 < syms.length; i++) {
            int p = pair(syms[i], syms[i + 1]);
            pairCount[p] += sign * wordFreq[word];
            changed.add(p);
            if (sign > 0) addOccurrence(p, word);
        }
    }

    private int pair(int left, int right) {
        long key = (long) left << 32 | (right & 0xFFFFFFFFL);
        int p = pairIndex.get(key);
        if (p >= 0) return p;
        p = pairs++;
        if (p == pairCount.length) {
            int n = p * 2;
            pairCount = Arrays.copyOf(pairCount, n);
            pairLeft = Arrays.copyOf(pairLeft, n);
            pairRight = Arrays.copyOf(pairRight, n);
            pairValidity = Arrays.copyOf(pairValidity, n);
            pairWords = Arrays.copyOf(pairWords, n);
            pairWordCount = Arrays.copyOf(pairWordCount, n);
        }
        pairLeft[p] = left;
        pairRight[p] = right;
        pairIndex.put(key, p);
        return p;
    }

    private void addOccurrence(int p, int word) {
        int[] list = pairWords[p];
        int n = pairWordCount[p];
        if (n > 0 && list[n - 1] == word) return;
        if (list == null) list = pairWords[p] = new int[2];
        else if (n == list.length) list = pairWords[p] = Arrays.copyOf(list, n * 2);
        list[n] = word;
        pairWordCount[p] = n + 1;
    }

    private int symbol(int[] cps) {
        String key = codePointString(cps);
        Integer id = symbolIds.get(key);
        if (id != null) return id;
        symbols.add(cps);
        symbolIds.put(key, symbols.size() - 1);
        return symbols.size() - 1;
    }

    private static boolean contains(int[] syms, int left, int right) {
        for (int i = 0; i + 1 < syms.length; i++) if (syms[i] == left && syms[i + 1] == right) return true;
        return false;
    }

    private static int[] replace(int[] syms, int left, int right, int merged) {
        int[] out = new int[syms.length];
        int n = 0;
        for (int i = 0; i < syms.length; i++) {
            if (i + 1 < syms.length && syms[i] == left && syms[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = syms[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String codePointString(int[] cps) {
        return new String(cps, 0, cps.length);
    }
}

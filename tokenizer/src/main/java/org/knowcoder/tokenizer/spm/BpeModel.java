package org.knowcoder.tokenizer.spm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * SentencePiece's BPE segmentation: start from one symbol per character (user-defined symbols
 * whole and frozen), then repeatedly merge the adjacent pair whose concatenation is the
 * highest-scoring piece, leftmost first on ties; merges into unused pieces are undone at the end.
 *
 * <p>Symbols are ints, not strings: a piece's id, or an id past the vocabulary for a character
 * that is no piece itself but is half of one. Every mergeable (left, right) pair is precomputed
 * into one hash table, so a merge step costs a hash probe instead of building a string.
 */
final class BpeModel implements SegmentationModel {
    /** A character that is no piece and no half of one: it never merges. */
    private static final int LONE_CHAR = -1;

    private final Vocabulary vocab;
    private final ByteTrie userDefined;
    private final int[] bmpSymbols = new int[0x10000];
    private final LongIntMap otherSymbols = new LongIntMap(64);
    /** For symbols past the vocabulary: their final id and UTF-8 length. */
    private int[] extraIds = new int[16], extraLengths = new int[16];
    private int extras;
    private final LongIntMap merges;
    private final boolean hasUnused;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    BpeModel(Vocabulary vocab, ByteTrie userDefined) {
        this.vocab = vocab;
        this.userDefined = userDefined;
        Arrays.fill(bmpSymbols, LONE_CHAR);
        boolean unused = false;
        for (Map.Entry<String, Integer> e : vocab.segmentablePieces()) {
            String s = e.getKey();
            if (s.codePointCount(0, s.length()) == 1) setCharSymbol(s.codePointAt(0), e.getValue());
            unused |= vocab.types[e.getValue()] == PieceType.UNUSED;
        }
        hasUnused = unused;
        merges = new LongIntMap(vocab.size() * 2);
        for (Map.Entry<String, Integer> e : vocab.segmentablePieces()) {
            String s = e.getKey();
            for (int k = s.offsetByCodePoints(0, 1); k < s.length(); k = s.offsetByCodePoints(k, 1)) {
                int left = symbolOf(s.substring(0, k)), right = symbolOf(s.substring(k));
                if (left != LONE_CHAR && right != LONE_CHAR) merges.put(pair(left, right), e.getValue());
            }
        }
    }

    /** The symbol a string can be during merging: a piece, or a single character (given an id past the vocabulary). */
    private int symbolOf(String s) {
        int id = vocab.segmentableId(s);
        if (id >= 0) return id;
        if (s.codePointCount(0, s.length()) != 1) return LONE_CHAR;
        int cp = s.codePointAt(0);
        int sym = charSymbol(cp);
        if (sym != LONE_CHAR) return sym;
        if (extras == extraIds.length) {
            extraIds = Arrays.copyOf(extraIds, extras * 2);
            extraLengths = Arrays.copyOf(extraLengths, extras * 2);
        }
        extraIds[extras] = vocab.id(s);
        extraLengths[extras] = s.getBytes(StandardCharsets.UTF_8).length;
        sym = vocab.size() + extras++;
        setCharSymbol(cp, sym);
        return sym;
    }

    private int charSymbol(int cp) {
        return cp < 0x10000 ? bmpSymbols[cp] : otherSymbols.get(cp);
    }

    private void setCharSymbol(int cp, int sym) {
        if (cp < 0x10000) bmpSymbols[cp] = sym;
        else otherSymbols.put(cp, sym);
    }

    private static long pair(int left, int right) {
        return (long) left << 32 | (right & 0xFFFFFFFFL);
    }

    @Override
    public void segment(byte[] text, int length, Segmentation out) {
        out.clear();
        Scratch s = scratch.get();
        int n = s.split(this, text, length);
        if (n == 0) return;
        s.heap.clear();
        for (int i = 1; i < n; i++) s.offerPair(this, i - 1, i);
        while (!s.heap.isEmpty()) {
            int left = s.heap.topLeft(), right = s.heap.topRight(), size = s.heap.topSize(), merged = s.heap.topMerged();
            s.heap.pop();
            // stale entries: one side was merged away or changed since this pair was offered
            if (s.length[left] == 0 || s.length[right] == 0 || s.length[left] + s.length[right] != size) continue;
            s.symbol[left] = merged;
            s.length[left] = size;
            s.next[left] = s.next[right];
            if (s.next[right] >= 0) s.prev[s.next[right]] = left;
            s.length[right] = 0;
            s.offerPair(this, s.prev[left], left);
            s.offerPair(this, left, s.next[left]);
        }
        for (int i = 0; i != -1; i = s.next[i]) emit(s, s.symbol[i], s.start[i], s.start[i] + s.length[i], text, out);
    }

    private void emit(Scratch s, int sym, int start, int end, byte[] text, Segmentation out) {
        if (hasUnused && sym >= 0 && sym < vocab.size() && vocab.types[sym] == PieceType.UNUSED) {
            Long split = s.unusedSplits.get(sym);
            if (split != null) {
                int left = (int) (split >> 32), right = (int) (long) split;
                int mid = start + symbolLength(left);
                emit(s, left, start, mid, text, out);
                emit(s, right, mid, end, text, out);
                return;
            }
        }
        out.add(start, end, finalId(sym, text, start, end));
    }

    private int finalId(int sym, byte[] text, int start, int end) {
        if (sym >= vocab.size()) return extraIds[sym - vocab.size()];
        if (sym >= 0) return sym;
        return vocab.id(new String(text, start, end - start, StandardCharsets.UTF_8));
    }

    private int symbolLength(int sym) {
        return sym >= vocab.size() ? extraLengths[sym - vocab.size()] : vocab.utf8[sym].length;
    }

    /** Per-thread working arrays, grown as needed and reused. */
    private static final class Scratch {
        int[] start = new int[256], length = new int[256], symbol = new int[256], prev = new int[256], next = new int[256];
        boolean[] frozen = new boolean[256];
        final PairHeap heap = new PairHeap();
        /** Merges into unused pieces seen in this call: piece id to its (left, right) symbols; the last offer wins, as in SentencePiece. */
        final HashMap<Integer, Long> unusedSplits = new HashMap<>();

        int split(BpeModel m, byte[] text, int length) {
            unusedSplits.clear();
            int n = 0;
            for (int pos = 0; pos < length; n++) {
                if (n == start.length) grow();
                int len = m.userDefined == null ? 0 : m.userDefined.longestPrefix(text, pos, length);
                frozen[n] = len > 0;
                if (len > 0) {
                    symbol[n] = m.vocab.segmentableId(new String(text, pos, len, StandardCharsets.UTF_8));
                } else {
                    len = Math.min(Utf8.oneCharLength(text[pos]), length - pos);
                    symbol[n] = Utf8.validCharLength(text, pos, pos + len) == len
                            ? m.charSymbol(Utf8.codePoint(text, pos, len)) : LONE_CHAR;
                }
                start[n] = pos;
                this.length[n] = len;
                prev[n] = n - 1;
                next[n] = n + 1;
                pos += len;
            }
            if (n > 0) next[n - 1] = -1;
            return n;
        }

        void offerPair(BpeModel m, int left, int right) {
            if (left < 0 || right < 0 || frozen[left] || frozen[right]) return;
            int merged = m.merges.get(pair(symbol[left], symbol[right]));
            if (merged < 0) return;
            heap.push(m.vocab.scores[merged], left, right, length[left] + length[right], merged);
            if (m.hasUnused && m.vocab.types[merged] == PieceType.UNUSED) unusedSplits.put(merged, pair(symbol[left], symbol[right]));
        }

        private void grow() {
            int n = start.length * 2;
            start = Arrays.copyOf(start, n);
            length = Arrays.copyOf(length, n);
            symbol = Arrays.copyOf(symbol, n);
            prev = Arrays.copyOf(prev, n);
            next = Arrays.copyOf(next, n);
            frozen = Arrays.copyOf(frozen, n);
        }
    }
}

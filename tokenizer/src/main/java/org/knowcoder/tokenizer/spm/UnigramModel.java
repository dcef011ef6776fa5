package org.knowcoder.tokenizer.spm;

import java.util.Arrays;
import java.util.Map;

/**
 * SentencePiece's Unigram segmentation: the Viterbi best path over every piece that matches at
 * every character position, scored by the pieces' log probabilities. User-defined pieces score
 * {@code length * max_score - 0.1} so they always win; a character no piece starts with becomes
 * an unknown piece scored {@code min_score - 10}. Ties keep the earlier candidate, as
 * SentencePiece's optimized encoder does, with its arithmetic: piece candidates are summed and
 * compared in double (its score expression has type double), unknown candidates in float, and
 * the best score per position is stored as float. Rounding decides near-ties, so this matters.
 */
final class UnigramModel implements SegmentationModel {
    private static final float UNK_PENALTY = 10.0f;

    private final Vocabulary vocab;
    private final ByteTrie trie;
    private final float minScore, maxScore;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    UnigramModel(Vocabulary vocab) {
        this.vocab = vocab;
        this.trie = new ByteTrie(vocab.size());
        for (Map.Entry<String, Integer> e : vocab.segmentablePieces()) trie.put(e.getKey(), e.getValue());
        // SentencePiece starts from FLT_MAX and FLT_MIN (the smallest positive float) and resets an
        // untouched bound to 0, so with all-negative scores max_score is 0
        float min = Float.MAX_VALUE, max = Float.MIN_NORMAL;
        for (int i = 0; i < vocab.size(); i++) {
            if (vocab.types[i] != PieceType.NORMAL) continue;
            min = Math.min(min, vocab.scores[i]);
            max = Math.max(max, vocab.scores[i]);
        }
        minScore = min == Float.MAX_VALUE ? 0 : min;
        maxScore = max == Float.MIN_NORMAL ? 0 : max;
    }

    @Override
    public void segment(byte[] text, int length, Segmentation out) {
        out.clear();
        if (length == 0) return;
        Scratch s = scratch.get().reset(length);
        float unkScore = minScore - UNK_PENALTY;
        for (int start = 0; start < length; ) {
            float scoreHere = s.score[start];
            int charLength = Math.min(Utf8.oneCharLength(text[start]), length - start);
            boolean singleCharPiece = false;
            int node = ByteTrie.root();
            for (int end = start; end < length; ) {
                node = trie.child(node, text[end++]);
                if (node == ByteTrie.NO_NODE) break;
                int id = trie.value(node);
                if (id < 0 || vocab.types[id] == PieceType.UNUSED) continue;
                int pieceLength = end - start;
                double score = vocab.types[id] == PieceType.USER_DEFINED ? (double) (pieceLength * maxScore) - 0.1 : vocab.scores[id];
                double candidate = score + scoreHere;
                s.offer(end, start, id, candidate);
                if (pieceLength == charLength) singleCharPiece = true;
            }
            if (!singleCharPiece) s.offer(start + charLength, start, vocab.unkId, unkScore + scoreHere);
            start += charLength;
        }
        for (int end = length; end > 0; end = s.from[end]) out.add(s.from[end], end, s.id[end]);
        out.reverse();
    }

    /** Best path ending at each byte position: its score, where its last piece starts, and that piece. */
    private static final class Scratch {
        float[] score = new float[256];
        int[] from = new int[256], id = new int[256];

        Scratch reset(int length) {
            if (length + 1 > score.length) {
                score = new float[length + 1];
                from = new int[length + 1];
                id = new int[length + 1];
            }
            Arrays.fill(score, 0, length + 1, 0f);
            Arrays.fill(from, 0, length + 1, -1);
            return this;
        }

        void offer(int end, int start, int piece, double candidate) {
            if (from[end] == -1 || candidate > score[end]) {
                score[end] = (float) candidate;
                from[end] = start;
                id[end] = piece;
            }
        }
    }
}

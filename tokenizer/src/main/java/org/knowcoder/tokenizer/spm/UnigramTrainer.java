package org.knowcoder.tokenizer.spm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Unigram language-model training over word counts, the algorithm of SentencePiece's unigram
 * trainer (Kudo 2018), written from its description:
 * <ol>
 * <li>Seed: every covered character, plus the substrings that repeat in the words (suffix-array
 * intervals: right-branching substrings and whole word endings), valid per {@link PieceRules},
 * the {@code seed_sentencepiece_size} best by frequency times length; scores are log shares.</li>
 * <li>EM: forward-backward over each word's lattice gives expected piece counts (weighted by the
 * word's frequency); the M-step keeps pieces expected at least 0.5 times and scores them
 * {@code digamma(count) - digamma(total)}, a sparse (Bayesian) variant of plain EM.</li>
 * <li>Pruning, after {@code num_sub_iterations} EM steps: a piece whose best segmentation of
 * itself is not itself goes; the others lose the likelihood of re-segmenting their Viterbi
 * occurrences into their second-best segmentation; the cheapest go, keeping
 * {@code shrinking_factor} of the pieces per round, until 1.1 times the vocabulary is left.</li>
 * <li>Finish: the required characters always, then the best pieces, sorted by score.</li>
 * </ol>
 * Characters outside the covered alphabet stand as {@link PieceRules#UNKNOWN_CHAR}, which no piece
 * contains; in lattices such a character is an unknown piece scored {@code min_score - 10}.
 */
final class UnigramTrainer {
    private static final double UNK_PENALTY = 10;
    private static final double MIN_EXPECTED = 0.5;
    private static final double REQUIRED_PENALTY_STEP = 1e-4;

    private final TrainerSpec spec;
    private final PieceRules rules;
    private final Consumer<String> progress;

    private int[][] words;
    private long[] wordFreq;
    private long totalFreq;

    UnigramTrainer(TrainerSpec spec, Consumer<String> progress) {
        this.spec = spec;
        this.rules = new PieceRules(spec);
        this.progress = progress;
    }

    /**
     * The normal pieces with their scores, best first: at most {@code size} of them, the
     * {@code required} characters (most frequent first) always among them, none of {@code reserved}.
     */
    List<ModelProto.Piece> train(Map<String, Long> wordCounts, List<Integer> required, int size, Set<String> reserved) {
        loadWords(wordCounts, required);
        Model model = seed(reserved);
        progress.accept(String.format("unigram: %,d seed pieces from %,d distinct words", model.size(), words.length));
        int desired = (int) (spec.vocabSize * 1.1);
        for (int round = 1; ; round++) {
            for (int sub = 0; sub < spec.numSubIterations; sub++) {
                Expectation e = expect(model);
                model = maximize(model, e.counts);
                progress.accept(String.format("unigram: EM round %d.%d: %,d pieces left, objective %.4f, %,d tokens (%.2f per piece)",
                        round, sub + 1, model.size(), e.objective, e.tokens, (double) e.tokens / model.size()));
            }
            if (model.size() <= desired) break;
            int before = model.size();
            model = prune(model, desired);
            if (model.size() >= before) break; // nothing can go: no use iterating
        }
        return finish(model, required, size);
    }

    /** The words as code points, uncovered characters replaced by the unknown marker, in a fixed order. */
    private void loadWords(Map<String, Long> wordCounts, List<Integer> required) {
        Set<Integer> covered = new HashSet<>(required);
        Map<String, Long> merged = new HashMap<>();
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            int[] cps = e.getKey().codePoints().map(c -> covered.contains(c) ? c : PieceRules.UNKNOWN_CHAR).toArray();
            merged.merge(new String(cps, 0, cps.length), e.getValue(), Long::sum);
        }
        List<String> keys = new ArrayList<>(merged.keySet());
        keys.sort(null);
        words = new int[keys.size()][];
        wordFreq = new long[keys.size()];
        totalFreq = 0;
        for (int w = 0; w < keys.size(); w++) {
            words[w] = keys.get(w).codePoints().toArray();
            wordFreq[w] = merged.get(keys.get(w));
            totalFreq += wordFreq[w];
        }
    }

    // ---------------------------------------------------------------- seed pieces

    private record Seed(int[] cps, long score) {}

    private Model seed(Set<String> reserved) {
        Map<Integer, Long> charFreq = new HashMap<>();
        for (int w = 0; w < words.length; w++) {
            for (int c : words[w]) if (c != PieceRules.UNKNOWN_CHAR) charFreq.merge(c, wordFreq[w], Long::sum);
        }
        List<Seed> chars = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : charFreq.entrySet()) chars.add(new Seed(new int[] {e.getKey()}, e.getValue()));
        chars.sort((a, b) -> a.score != b.score ? Long.compare(b.score, a.score) : Integer.compare(a.cps[0], b.cps[0]));
        int room = (int) Math.max(0, spec.seedSentencepieceSize - (long) chars.size());
        List<Seed> substrings = repeatedSubstrings(reserved, room);
        List<Seed> seeds = new ArrayList<>(chars);
        seeds.addAll(substrings);
        double sum = 0;
        for (Seed s : seeds) sum += s.score;
        int[][] cps = new int[seeds.size()][];
        float[] scores = new float[seeds.size()];
        for (int i = 0; i < seeds.size(); i++) {
            cps[i] = seeds.get(i).cps;
            scores[i] = (float) (Math.log(seeds.get(i).score) - Math.log(sum));
        }
        return new Model(cps, scores);
    }

    /**
     * Substrings of two or more characters that occur at least twice (counting word frequency) and
     * are right-branching or end a word: the lcp intervals of a suffix array over all distinct
     * words (each ended by its own separator), plus word endings that only one word has. Score:
     * occurrences times length. The best {@code limit} of them, best first (ties: later found first).
     */
    private List<Seed> repeatedSubstrings(Set<String> reserved, int limit) {
        int total = 0;
        for (int[] w : words) total += w.length + 1;
        int[] text = new int[total];
        int[] owner = new int[total];
        int[] suffixes = new int[total - words.length];
        for (int w = 0, at = 0, s = 0; w < words.length; w++) {
            for (int c : words[w]) {
                owner[at] = w;
                suffixes[s++] = at;
                text[at++] = c;
            }
            owner[at] = w;
            text[at++] = -1 - w; // a separator unlike any other: no common prefix runs across words
        }
        SuffixSort.sort(text, suffixes);
        int n = suffixes.length;
        int[] lcp = new int[n + 1]; // lcp[k]: common prefix of suffixes k-1 and k; 0 at both ends
        for (int k = 1; k < n; k++) lcp[k] = commonPrefix(text, suffixes[k - 1], suffixes[k]);
        long[] weightBefore = new long[n + 1];
        for (int k = 0; k < n; k++) weightBefore[k + 1] = weightBefore[k] + wordFreq[owner[suffixes[k]]];

        Candidates out = new Candidates();
        int max = spec.maxSentencepieceLength;
        // lcp intervals, bottom-up with a stack of (depth, left bound)
        int[] depth = new int[64], left = new int[64];
        int top = 0;
        for (int k = 1; k <= n; k++) {
            int l = lcp[k];
            int lb = k - 1;
            while (l < depth[top]) {
                int d = depth[top], from = left[top--];
                if (d >= 2 && d <= max) offer(out, text, suffixes[from], d, weightBefore[k] - weightBefore[from], reserved);
                lb = from;
            }
            if (l > depth[top]) {
                if (++top == depth.length) {
                    depth = Arrays.copyOf(depth, top * 2);
                    left = Arrays.copyOf(left, top * 2);
                }
                depth[top] = l;
                left[top] = lb;
            }
        }
        // word endings no other suffix shares: leaves of the suffix tree
        for (int k = 0; k < n; k++) {
            int start = suffixes[k];
            int length = 0;
            while (text[start + length] >= 0) length++;
            long freq = wordFreq[owner[start]];
            if (length > Math.max(lcp[k], lcp[k + 1]) && length >= 2 && length <= max && freq >= 2) {
                offer(out, text, start, length, freq, reserved);
            }
        }
        return out.best(text, limit);
    }

    private void offer(Candidates out, int[] text, int start, int length, long freq, Set<String> reserved) {
        int[] cps = Arrays.copyOfRange(text, start, start + length);
        if (rules.isValid(cps) && !reserved.contains(new String(cps, 0, cps.length))) out.add(start, length, freq * length);
    }

    /** Substrings of the text by position, each ranked by a long: its score (capped at 2^32) above its index. */
    private static final class Candidates {
        private long[] keys = new long[1024];
        private int[] starts = new int[1024], lengths = new int[1024];
        private int size;

        void add(int start, int length, long score) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                starts = Arrays.copyOf(starts, size * 2);
                lengths = Arrays.copyOf(lengths, size * 2);
            }
            keys[size] = Math.min(score, (1L << 32) - 1) << 31 | size;
            starts[size] = start;
            lengths[size++] = length;
        }

        List<Seed> best(int[] text, int limit) {
            Arrays.sort(keys, 0, size);
            List<Seed> out = new ArrayList<>();
            for (int k = size - 1; k >= 0 && out.size() < limit; k--) {
                int i = (int) (keys[k] & Integer.MAX_VALUE);
                out.add(new Seed(Arrays.copyOfRange(text, starts[i], starts[i] + lengths[i]), keys[k] >>> 31));
            }
            return out;
        }
    }

    private static int commonPrefix(int[] text, int a, int b) {
        int k = 0;
        while (text[a + k] == text[b + k]) k++; // separators differ, so this stops within both words
        return k;
    }

    // ---------------------------------------------------------------- EM

    private record Expectation(double[] counts, double objective, long tokens) {}

    private Expectation expect(Model model) {
        double[] counts = new double[model.size()];
        double objective = 0;
        long tokens = 0;
        Lattice lattice = new Lattice();
        for (int w = 0; w < words.length; w++) {
            lattice.build(model, words[w], -1);
            double z = lattice.marginals(wordFreq[w], counts);
            objective -= wordFreq[w] * z / totalFreq;
            tokens += (long) lattice.viterbiTokens * wordFreq[w];
        }
        return new Expectation(counts, objective, tokens);
    }

    private static Model maximize(Model model, double[] counts) {
        int kept = 0;
        double sum = 0;
        for (double c : counts) {
            if (c >= MIN_EXPECTED) {
                kept++;
                sum += c;
            }
        }
        int[][] cps = new int[kept][];
        float[] scores = new float[kept];
        double logSum = digamma(sum);
        for (int i = 0, j = 0; i < counts.length; i++) {
            if (counts[i] < MIN_EXPECTED) continue;
            cps[j] = model.cps[i];
            scores[j++] = (float) (digamma(counts[i]) - logSum);
        }
        return new Model(cps, scores);
    }

    /** The digamma function: the recurrence up to x >= 10, then its asymptotic series. */
    static double digamma(double x) {
        double result = 0;
        while (x < 10) {
            result -= 1 / x;
            x += 1;
        }
        double inv = 1 / x, inv2 = inv * inv;
        return result + Math.log(x) - 0.5 * inv
                - inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))));
    }

    // ---------------------------------------------------------------- pruning

    private Model prune(Model model, int desired) {
        int size = model.size();
        boolean[] removable = new boolean[size];
        int[][] alternatives = new int[size][];
        Lattice lattice = new Lattice();
        for (int i = 0; i < size; i++) {
            int[] best = lattice.build(model, model.cps[i], -1).viterbi();
            if (best.length != 1) {
                removable[i] = true; // the piece does not even segment itself
                continue;
            }
            int[] second = lattice.build(model, model.cps[i], i).viterbi();
            boolean hasUnknown = false;
            if (second != null) for (int id : second) hasUnknown |= id < 0;
            alternatives[i] = second == null || hasUnknown ? null : second;
        }
        double[] freq = new double[size];
        double[] wordsWith = new double[size]; // frequency of the words whose Viterbi path uses the piece, per use
        for (int w = 0; w < words.length; w++) {
            for (int id : lattice.build(model, words[w], -1).viterbi()) {
                if (id < 0) continue;
                freq[id] += wordFreq[w];
                wordsWith[id] += wordFreq[w];
            }
        }
        double sum = 0;
        for (double f : freq) sum += f;
        double logSum = Math.log(sum);
        List<Integer> next = new ArrayList<>();
        List<double[]> candidates = new ArrayList<>(); // {loss, index}
        for (int i = 0; i < size; i++) {
            if (freq[i] == 0 || removable[i]) continue;
            if (alternatives[i] == null) {
                next.add(i);
                continue;
            }
            double logProb = Math.log(freq[i]) - logSum;
            double logSumAlt = Math.log(sum + freq[i] * (alternatives[i].length - 1));
            double logProbAlt = 0;
            for (int a : alternatives[i]) logProbAlt += Math.log(freq[a] + freq[i]) - logSumAlt;
            double loss = wordsWith[i] / totalFreq * (logProb - logProbAlt);
            candidates.add(new double[] {loss, i});
        }
        candidates.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
        int target = Math.max(desired, (int) (spec.shrinkingFactor * size));
        for (double[] c : candidates) {
            if (next.size() >= target) break;
            next.add((int) c[1]);
        }
        next.sort(null);
        int[][] cps = new int[next.size()][];
        float[] scores = new float[next.size()];
        for (int j = 0; j < next.size(); j++) {
            cps[j] = model.cps[next.get(j)];
            scores[j] = model.scores[next.get(j)];
        }
        progress.accept(String.format("unigram: pruned %,d pieces to %,d", size, next.size()));
        return new Model(cps, scores);
    }

    // ---------------------------------------------------------------- final vocabulary

    private static List<ModelProto.Piece> finish(Model model, List<Integer> required, int size) {
        Map<String, Float> scores = new HashMap<>();
        float min = Float.MAX_VALUE;
        for (int i = 0; i < model.size(); i++) {
            scores.put(model.piece(i), model.scores[i]);
            min = Math.min(min, model.scores[i]);
        }
        Map<String, Float> chosen = new LinkedHashMap<>();
        double penalty = 0;
        for (int c : required) { // most frequent first: a missing character scores below the pieces, rarer ones lower
            String s = new String(Character.toChars(c));
            Float score = scores.get(s);
            if (score == null) {
                score = (float) (min - penalty);
                penalty += REQUIRED_PENALTY_STEP;
            }
            chosen.put(s, score);
        }
        List<Map.Entry<String, Float>> ranked = new ArrayList<>(scores.entrySet());
        Comparator<Map.Entry<String, Float>> best = (a, b) -> !a.getValue().equals(b.getValue())
                ? Float.compare(b.getValue(), a.getValue()) : a.getKey().compareTo(b.getKey());
        ranked.sort(best);
        for (Map.Entry<String, Float> e : ranked) {
            if (chosen.size() >= size) break;
            chosen.putIfAbsent(e.getKey(), e.getValue());
        }
        List<Map.Entry<String, Float>> result = new ArrayList<>(chosen.entrySet());
        result.sort(best);
        List<ModelProto.Piece> pieces = new ArrayList<>();
        for (Map.Entry<String, Float> e : result) pieces.add(new ModelProto.Piece(e.getKey(), e.getValue(), PieceType.NORMAL));
        return pieces;
    }

    // ---------------------------------------------------------------- model and lattice

    /** Pieces (code points) with scores, and a code-point trie over them. */
    private static final class Model {
        final int[][] cps;
        final float[] scores;
        final float minScore;
        final int longest;
        private final LongIntMap edges;
        private int[] values;

        Model(int[][] cps, float[] scores) {
            this.cps = cps;
            this.scores = scores;
            float min = 0;
            for (int i = 0; i < scores.length; i++) min = i == 0 ? scores[i] : Math.min(min, scores[i]);
            minScore = min;
            edges = new LongIntMap(cps.length * 4);
            values = new int[cps.length * 2 + 2];
            Arrays.fill(values, -1);
            int nodes = 1, longestPiece = 0;
            for (int i = 0; i < cps.length; i++) {
                longestPiece = Math.max(longestPiece, cps[i].length);
                int node = 0;
                for (int c : cps[i]) {
                    int next = child(node, c);
                    if (next < 0) {
                        next = nodes++;
                        if (next == values.length) {
                            values = Arrays.copyOf(values, next * 2);
                            Arrays.fill(values, next, values.length, -1);
                        }
                        edges.put(key(node, c), next);
                    }
                    node = next;
                }
                values[node] = i;
            }
            longest = longestPiece;
        }

        int size() {
            return cps.length;
        }

        String piece(int i) {
            return new String(cps[i], 0, cps[i].length);
        }

        int child(int node, int c) {
            return edges.get(key(node, c));
        }

        private static long key(int node, int c) {
            return (long) node << 21 | c;
        }
    }

    /** One word's lattice: every piece at every position (unknown pieces where no piece of one character starts). */
    private static final class Lattice {
        int n, edgeCount, viterbiTokens;
        int[] from = new int[256], to = new int[256], id = new int[256];
        double[] score = new double[256];
        double[] alpha = new double[64], beta = new double[64];
        int[] bestEdge = new int[64], bestTokens = new int[64];

        /** Builds the lattice of {@code text}, leaving out piece {@code excluded} (or none: -1). */
        Lattice build(Model model, int[] text, int excluded) {
            n = text.length;
            edgeCount = 0;
            int most = n * (model.longest + 1); // a piece of each length and an unknown piece at each position
            if (most > from.length) {
                from = new int[most];
                to = new int[most];
                id = new int[most];
                score = new double[most];
            }
            double unknown = model.minScore - UNK_PENALTY;
            for (int start = 0; start < n; start++) {
                boolean single = false;
                int node = 0;
                for (int end = start; end < n; end++) {
                    node = model.child(node, text[end]);
                    if (node < 0) break;
                    int piece = model.values[node];
                    if (piece < 0 || piece == excluded) continue;
                    add(start, end + 1, piece, model.scores[piece]);
                    single |= end == start;
                }
                if (!single && (excluded < 0 || model.cps[excluded].length > 1)) add(start, start + 1, -1, unknown);
            }
            return this;
        }

        private void add(int start, int end, int piece, double s) {
            from[edgeCount] = start;
            to[edgeCount] = end;
            id[edgeCount] = piece;
            score[edgeCount++] = s;
        }

        /** Adds {@code freq} times each piece's posterior count to {@code counts}; answers log Z and sets the Viterbi length. */
        double marginals(long freq, double[] counts) {
            if (alpha.length < n + 1) {
                alpha = new double[n + 1];
                beta = new double[n + 1];
                bestEdge = new int[n + 1];
                bestTokens = new int[n + 1];
            }
            Arrays.fill(alpha, 0, n + 1, Double.NEGATIVE_INFINITY);
            Arrays.fill(beta, 0, n + 1, Double.NEGATIVE_INFINITY);
            alpha[0] = 0;
            beta[n] = 0;
            viterbi(); // edges go by start, so one pass forward and one backward suffice
            for (int e = 0; e < edgeCount; e++) alpha[to[e]] = logAdd(alpha[to[e]], alpha[from[e]] + score[e]);
            for (int e = edgeCount - 1; e >= 0; e--) beta[from[e]] = logAdd(beta[from[e]], score[e] + beta[to[e]]);
            double z = alpha[n];
            for (int e = 0; e < edgeCount; e++) {
                if (id[e] >= 0) counts[id[e]] += freq * Math.exp(alpha[from[e]] + score[e] + beta[to[e]] - z);
            }
            return z;
        }

        /** The best path's piece ids (-1 for unknown), or null when the lattice has no complete path. */
        int[] viterbi() {
            if (bestEdge.length < n + 1) {
                bestEdge = new int[n + 1];
                bestTokens = new int[n + 1];
            }
            double[] best = new double[n + 1];
            Arrays.fill(best, Double.NEGATIVE_INFINITY);
            Arrays.fill(bestEdge, 0, n + 1, -1);
            best[0] = 0;
            bestTokens[0] = 0;
            for (int e = 0; e < edgeCount; e++) {
                double s = best[from[e]] + score[e];
                if (s > best[to[e]]) {
                    best[to[e]] = s;
                    bestEdge[to[e]] = e;
                    bestTokens[to[e]] = bestTokens[from[e]] + 1;
                }
            }
            if (n > 0 && bestEdge[n] < 0) return null;
            viterbiTokens = bestTokens[n];
            int[] path = new int[viterbiTokens];
            for (int at = n, k = viterbiTokens; at > 0; at = from[bestEdge[at]]) path[--k] = id[bestEdge[at]];
            return path;
        }

        private static double logAdd(double a, double b) {
            if (a == Double.NEGATIVE_INFINITY) return b;
            if (b == Double.NEGATIVE_INFINITY) return a;
            return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
        }
    }
}

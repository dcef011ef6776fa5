package org.knowcoder.train;

import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.tensor.autograd.RowLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A micro-batch's examples one after another in one sequence of exactly their rows, so that no
 * compute goes to padding. An example of n tokens (cut to seqLen + 1) is n - 1 (input, target) rows
 * at positions 0 .. n - 2. Every row keeps its example's position and loss weight, and attention
 * stays within each example, so the packed batch has the same targets, weights and, up to float
 * rounding, the same loss as one sequence per example. The sequence may be longer than seqLen: its
 * positions are not.
 *
 * <p>Examples that begin with the same tokens (IE samples of one dataset share a long prompt: class
 * definitions and instruction) share the rows of that prefix: a group holds the prefix once and
 * then each example's own rows, which attend to the prefix ({@link RowLayout}). A shared row stands
 * for the same (input, target) pair in every example of its group, so its weight is the sum of
 * theirs and the loss stays the same. Groups are runs of neighbouring examples sharing at least
 * {@link #MIN_SHARED} rows, chosen for the fewest rows ({@link #groups}), laid out in order; an
 * example alone is a group of one. (Sequences of seqLen rows, filled first fit and padded, spent
 * compute on padding and on second copies of prompts whose block did not fit one sequence:
 * bench/README.md.)
 */
final class Packing {
    private Packing() {}

    /** Fewer common rows than this are laid out apart: not worth the second run of keys. */
    static final int MIN_SHARED = 8;

    /**
     * Examples laid out together: the first {@code shared} rows once (when more than one), then each
     * one's rest; {@code rows} in all. An example alone shares all of its rows with itself.
     */
    private record Group(List<int[]> tokens, List<int[]> masks, int shared, int rows) {}

    static TokenBatch pack(List<Examples.Example> examples, int seqLen) {
        List<int[]> tokens = new ArrayList<>(), masks = new ArrayList<>();
        for (Examples.Example e : examples) {
            int[] t = Arrays.copyOf(e.tokens(), Math.min(e.tokens().length, seqLen + 1));
            if (t.length < 2) continue; // a single token has no target
            tokens.add(t);
            masks.add(e.mask());
        }
        List<Group> groups = groups(tokens, masks);
        int n = groups.stream().mapToInt(Group::rows).sum();
        Rows rows = new Rows(Math.max(1, n)); // no targets at all still makes one (padding) row
        for (Group g : groups) rows.add(g);
        boolean shares = groups.stream().anyMatch(g -> g.tokens.size() > 1);
        return new TokenBatch(rows.inputs, rows.targets, rows.weights, rows.inputs.length,
                new RowLayout(rows.positions, shares ? rows.prefixEnds : null));
    }

    /**
     * The examples, in their order, cut into runs of neighbours that share a prefix so that the
     * runs take the fewest rows in all (dynamic programming over where the runs end). Joining the
     * nearest group that shares a few tokens would not do: every instruction begins with the same
     * class header, so the first example of a second prompt in a block would pull the group's
     * shared prefix down to that header for all of them.
     */
    private static List<Group> groups(List<int[]> tokens, List<int[]> masks) {
        int n = tokens.size();
        int[] best = new int[n + 1], runStart = new int[n + 1], runShared = new int[n + 1];
        for (int end = 1; end <= n; end++) {
            best[end] = Integer.MAX_VALUE;
            for (int first = end - 1; first >= 0; first--) {
                int[] head = tokens.get(first);
                // the last shared row's target must be common too: one row fewer than the common tokens
                int shared = head.length - 1;
                for (int m = first + 1; m < end; m++) shared = Math.min(shared, commonPrefix(head, tokens.get(m)) - 1);
                if (end - first > 1 && shared < MIN_SHARED) continue;
                int rows = shared;
                for (int m = first; m < end; m++) rows += tokens.get(m).length - 1 - shared;
                if (best[first] + rows < best[end]) {
                    best[end] = best[first] + rows;
                    runStart[end] = first;
                    runShared[end] = shared;
                }
            }
        }
        List<Group> groups = new ArrayList<>();
        for (int end = n; end > 0; end = runStart[end]) {
            int first = runStart[end];
            groups.addFirst(new Group(tokens.subList(first, end), masks.subList(first, end), runShared[end], best[end] - best[first]));
        }
        return groups;
    }

    /** The batch's arrays, filled row after row. */
    private static final class Rows {
        final int[] inputs, targets, positions, prefixEnds;
        final float[] weights;
        int next;

        Rows(int n) {
            inputs = new int[n];
            targets = new int[n];
            positions = new int[n];
            prefixEnds = new int[n];
            weights = new float[n];
            Arrays.fill(prefixEnds, -1);
        }

        void add(Group g) {
            if (g.tokens.size() == 1) {
                add(g.tokens.getFirst(), g.masks.getFirst(), 0, -1);
                return;
            }
            int prefixEnd = next + g.shared - 1;
            int[] first = g.tokens.getFirst();
            for (int j = 0; j < g.shared; j++) {
                float w = 0;
                for (int[] mask : g.masks) w += weight(mask, j + 1);
                row(first[j], first[j + 1], w, j, -1);
            }
            for (int m = 0; m < g.tokens.size(); m++) add(g.tokens.get(m), g.masks.get(m), g.shared, prefixEnd);
        }

        /** Rows from..t.length - 2 of one example. */
        private void add(int[] t, int[] mask, int from, int prefixEnd) {
            for (int j = from; j < t.length - 1; j++) row(t[j], t[j + 1], weight(mask, j + 1), j, prefixEnd);
        }

        private void row(int input, int target, float weight, int position, int prefixEnd) {
            inputs[next] = input;
            targets[next] = target;
            weights[next] = weight;
            positions[next] = position;
            prefixEnds[next] = prefixEnd;
            next++;
        }

        private static float weight(int[] mask, int j) {
            return mask == null ? 1f : mask[j];
        }
    }

    /** The number of leading tokens a and b have in common. */
    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    /** The (input, target) rows of an example of {@code tokens} tokens: one fewer, at most seqLen. */
    static int rows(int tokens, int seqLen) {
        return Math.max(0, Math.min(tokens, seqLen + 1) - 1);
    }
}

package org.knowcoder.train;

import org.knowcoder.model.training.TokenBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Several examples to a sequence, so that short examples do not spend a whole sequence of compute
 * on padding. An example of n tokens (cut to seqLen + 1) is n - 1 (input, target) rows at
 * positions 0 .. n - 2; each goes, in the given order, into the first sequence with room for all
 * of its rows (first fit), and padding (token 0, weight 0) fills the rest. Every row keeps its
 * example's position and loss weight, and attention stays within each example, so the packed batch
 * has the same targets, weights and, up to float rounding, the same loss as one sequence per example.
 */
final class Packing {
    private Packing() {}

    static TokenBatch pack(List<Examples.Example> examples, int seqLen) {
        List<List<Examples.Example>> sequences = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (Examples.Example e : examples) {
            int rows = rows(e.tokens().length, seqLen);
            if (rows == 0) continue; // a single token has no target
            int s = 0;
            while (s < free.size() && free.get(s) < rows) s++;
            if (s == free.size()) {
                sequences.add(new ArrayList<>());
                free.add(seqLen);
            }
            sequences.get(s).add(e);
            free.set(s, free.get(s) - rows);
        }
        int n = Math.max(1, sequences.size()) * seqLen; // no targets at all still makes one (all padding) sequence
        int[] inputs = new int[n], targets = new int[n], positions = new int[n];
        float[] weights = new float[n];
        for (int s = 0; s < sequences.size(); s++) {
            int r = s * seqLen;
            for (Examples.Example e : sequences.get(s)) {
                int[] t = e.tokens();
                for (int j = 0, rows = rows(t.length, seqLen); j < rows; j++, r++) {
                    inputs[r] = t[j];
                    targets[r] = t[j + 1];
                    weights[r] = e.mask() == null ? 1f : e.mask()[j + 1];
                    positions[r] = j;
                }
            }
            // the padding after the last example is an example of its own, from position 0
            for (int j = 0; r < (s + 1) * seqLen; j++, r++) positions[r] = j;
        }
        return new TokenBatch(inputs, targets, weights, seqLen, positions);
    }

    /** The (input, target) rows of an example of {@code tokens} tokens: one fewer, at most seqLen. */
    static int rows(int tokens, int seqLen) {
        return Math.max(0, Math.min(tokens, seqLen + 1) - 1);
    }
}

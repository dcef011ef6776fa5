package org.knowcoder.model.training;

import org.knowcoder.tensor.autograd.RowLayout;

/**
 * Sequences for a training step, each run alone from position 0: inputs are every token but the
 * last, targets every token but the first. A target counts with the weight of its own token's mask
 * entry (mask[i][j] belongs to token j, so mask[i][0] never counts), e.g. only the output of a
 * prompt/output pair. Arrays are flattened sequence after sequence.
 *
 * <p>{@code layout} says where each row sits: {@link RowLayout#UNPACKED} for one example per
 * sequence; a packed batch holds several examples in a sequence, attention staying within each, and
 * examples that begin alike may share the rows of their common prefix (a shared row's weight is
 * then the sum of its examples' weights, so the loss is the one of the examples laid out apart).
 */
public record TokenBatch(int[] inputs, int[] targets, float[] weights, int seqLen, RowLayout layout) {

    /** Sequences of one length L + 1 (at least 2 tokens); masks null for all ones. */
    public static TokenBatch of(int[][] sequences, int[][] masks) {
        if (sequences.length == 0) throw new IllegalArgumentException("a batch needs at least one sequence");
        int len = sequences[0].length, seqLen = len - 1;
        if (seqLen < 1) throw new IllegalArgumentException("a training sequence needs at least 2 tokens");
        int n = sequences.length * seqLen;
        int[] inputs = new int[n], targets = new int[n];
        float[] weights = new float[n];
        for (int s = 0; s < sequences.length; s++) {
            int[] seq = sequences[s];
            if (seq.length != len) throw new IllegalArgumentException("sequence " + s + " has " + seq.length + " tokens, not " + len);
            if (masks != null && masks[s].length != len) throw new IllegalArgumentException("mask " + s + " has " + masks[s].length + " entries, not " + len);
            for (int j = 0; j < seqLen; j++) {
                inputs[s * seqLen + j] = seq[j];
                targets[s * seqLen + j] = seq[j + 1];
                weights[s * seqLen + j] = masks == null ? 1f : masks[s][j + 1];
            }
        }
        return new TokenBatch(inputs, targets, weights, seqLen, RowLayout.UNPACKED);
    }

    public int sequences() {
        return inputs.length / seqLen;
    }

    /** Targets that count: the loss of a batch is divided by this summed over its micro-batches. */
    public float weightSum() {
        float s = 0;
        for (float w : weights) s += w;
        return s;
    }
}

package org.knowcoder.tensor.autograd;

/**
 * Where each row of a batch of sequences (T rows each) sits, for RoPE and causal attention.
 *
 * <ul>
 * <li>{@link #UNPACKED}: one example per sequence, row r at position r % T.
 * <li>Packed ({@code positions} given): several examples one after another in a sequence, row r at
 *     position {@code positions[r]} of its example; an example starts where the position is 0 and
 *     its rows attend to its own rows up to themselves.
 * <li>With shared prefixes ({@code prefixEnds} given as well): examples that begin with the same L
 *     tokens hold them once. The prefix is laid out like an example of its own (positions 0..L-1);
 *     each example continuing it holds only its own rows, at positions L, L+1, ..., and for those
 *     rows {@code prefixEnds[r]} is the sequence row (0..T-1) of the prefix's last row; it is -1 for
 *     every other row. Such a row attends to the prefix and then to its own rows up to itself:
 *     exactly what it would see with the prefix copied in front of it, at a fraction of the rows.
 * </ul>
 */
public record RowLayout(int[] positions, int[] prefixEnds) {
    public static final RowLayout UNPACKED = new RowLayout(null, null);

    /** Several examples per sequence, none sharing a prefix. */
    public static RowLayout packed(int[] positions) {
        return new RowLayout(positions, null);
    }

    /** How many positions the rows take, in sequences of {@code seqLen} rows: one more than the largest. */
    public int span(int seqLen) {
        if (positions == null) return seqLen;
        int max = -1;
        for (int p : positions) max = Math.max(max, p);
        return max + 1;
    }

    /** The position of batch row {@code row}, which is row {@code i} of its sequence. */
    int position(int row, int i) {
        return positions == null ? i : positions[row];
    }

    /** The rows of the shared prefix that row {@code row} continues (0: none). */
    int prefixLength(int row, int i) {
        return prefixEnds == null || prefixEnds[row] < 0 ? 0 : position(row - i + prefixEnds[row], prefixEnds[row]) + 1;
    }

    /** The sequence row where row {@code i}'s shared prefix starts (meaningless without one). */
    int prefixFirst(int row, int i) {
        return prefixEnds[row] + 1 - prefixLength(row, i);
    }

    /** The sequence row where row {@code i}'s own rows start: the first one after its prefix that it attends to. */
    int first(int row, int i) {
        return i - position(row, i) + prefixLength(row, i);
    }

    /**
     * Throws unless every sequence starts an example, positions within one run on by 1, and each
     * example continuing a shared prefix starts at the prefix's length, after the prefix, in the same
     * sequence: anything else would let a row attend outside its sequence or across examples.
     */
    void check(int rows, int seqLen) {
        if (positions == null) {
            if (prefixEnds != null) throw new IllegalArgumentException("shared prefixes need per-row positions");
            return;
        }
        if (positions.length != rows) throw new IllegalArgumentException(positions.length + " positions for " + rows + " rows");
        if (prefixEnds != null && prefixEnds.length != rows) throw new IllegalArgumentException(prefixEnds.length + " prefix ends for " + rows + " rows");
        for (int r = 0; r < rows; r++) {
            int i = r % seqLen, end = prefixEnds == null ? -1 : prefixEnds[r];
            boolean continues = i > 0 && positions[r] == positions[r - 1] + 1 && end == (prefixEnds == null ? -1 : prefixEnds[r - 1]);
            if (end < 0) {
                if (positions[r] != 0 && !continues) {
                    throw new IllegalArgumentException("row " + r + " is at position " + positions[r] + ", expected 0 or "
                            + (i == 0 ? 0 : positions[r - 1] + 1) + " (examples start at 0, each sequence of " + seqLen + " with one)");
                }
                continue;
            }
            if (end >= i || prefixEnds[r - i + end] >= 0) {
                throw new IllegalArgumentException("row " + r + " continues a prefix ending at row " + end + " of its sequence, which is not an earlier row of an example of its own");
            }
            if (!continues && positions[r] != positions[r - i + end] + 1) {
                throw new IllegalArgumentException("row " + r + " is at position " + positions[r] + ", expected "
                        + (positions[r - i + end] + 1) + " (after the shared prefix ending at row " + end + ")");
            }
        }
    }
}

package org.knowcoder.tensor.autograd;

/**
 * Per-row positions of packed sequences: row r of a sequence of T rows sits at position
 * {@code positions[r]} of its example, so an example starts where the position is 0. Null stands
 * for one example per sequence (row r at r % T), the unpacked layout.
 */
final class Positions {
    private Positions() {}

    /** The position of row {@code row}, which is row {@code i} of its sequence. */
    static int of(int[] positions, int row, int i) {
        return positions == null ? i : positions[row];
    }

    /** The sequence row where row {@code i}'s example starts: the first row it may attend to. */
    static int first(int[] positions, int row, int i) {
        return i - of(positions, row, i);
    }

    /**
     * Throws unless every sequence starts an example and positions within one run 0, 1, 2, ...:
     * anything else would let a row attend outside its sequence or across examples.
     */
    static void check(int[] positions, int rows, int seqLen) {
        if (positions.length != rows) throw new IllegalArgumentException(positions.length + " positions for " + rows + " rows");
        for (int r = 0; r < positions.length; r++) {
            int expected = r % seqLen == 0 ? 0 : positions[r - 1] + 1;
            if (positions[r] != 0 && positions[r] != expected) {
                throw new IllegalArgumentException("row " + r + " is at position " + positions[r] + ", expected 0 or " + expected
                        + " (examples start at 0, each sequence of " + seqLen + " with one)");
            }
        }
    }
}

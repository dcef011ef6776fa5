package org.knowcoder.model.session;

import org.knowcoder.model.RopePermutation;

/**
 * Maps q/k projections of rotate-half checkpoints (Hugging Face) to the adjacent-pair layout the
 * engine's RoPE uses. Hugging Face permutes each head's rows so that pair i = (row 2i, row 2i+1)
 * of the original weights sits at rows (i, i + headDim/2); undoing it on the projected vector
 * costs one gather per token and leaves the weights as they are in the file.
 */
final class RopeLayout {
    private final int[] source;

    /** Gather indices for {@code heads} heads of size {@code headDim}. */
    RopeLayout(int heads, int headDim) {
        source = RopePermutation.toAdjacentPairs(heads, headDim);
    }

    /** Reorders v[off .. off+n) in place, using scratch of at least n floats. */
    void toAdjacentPairs(float[] v, int off, float[] scratch) {
        int n = source.length;
        System.arraycopy(v, off, scratch, 0, n);
        for (int i = 0; i < n; i++) v[off + i] = scratch[source[i]];
    }
}

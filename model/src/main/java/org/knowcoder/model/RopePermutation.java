package org.knowcoder.model;

/**
 * Row orders that convert q/k projection matrices between the two RoPE layouts. In the adjacent-pair
 * layout (Meta, llama2.c, this engine) a head's rotation pairs are rows (2i, 2i+1); Hugging Face's
 * converter permutes them to rows (i, i + headDim/2) so RoPE can rotate halves. Each order says, for
 * every output row, which source row to copy: out[r] = source[order[r]].
 */
public final class RopePermutation {
    private RopePermutation() {}

    /** Adjacent-pair rows to rotate-half rows (what Hugging Face's convert_llama_weights_to_hf does). */
    public static int[] toRotateHalf(int heads, int headDim) {
        int half = headDim / 2;
        int[] order = new int[heads * headDim];
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int i = 0; i < half; i++) {
                order[base + i] = base + 2 * i;
                order[base + half + i] = base + 2 * i + 1;
            }
        }
        return order;
    }

    /** Rotate-half rows back to adjacent-pair rows: the inverse of {@link #toRotateHalf}. */
    public static int[] toAdjacentPairs(int heads, int headDim) {
        int[] forward = toRotateHalf(heads, headDim);
        int[] order = new int[forward.length];
        for (int r = 0; r < forward.length; r++) order[forward[r]] = r;
        return order;
    }
}

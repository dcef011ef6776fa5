package org.knowcoder.tensor.kernels;

/** out[c][r] = in[r][c] for a [rows, cols] row-major matrix, in cache-sized square blocks. */
public final class Transpose {
    private Transpose() {}

    private static final int BLOCK = 32;

    public static void apply(float[] in, int rows, int cols, float[] out) {
        for (int r0 = 0; r0 < rows; r0 += BLOCK) {
            int r1 = Math.min(rows, r0 + BLOCK);
            for (int c0 = 0; c0 < cols; c0 += BLOCK) {
                int c1 = Math.min(cols, c0 + BLOCK);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) out[c * rows + r] = in[r * cols + c];
                }
            }
        }
    }
}

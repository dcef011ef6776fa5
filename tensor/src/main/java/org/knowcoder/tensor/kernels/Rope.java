package org.knowcoder.tensor.kernels;

import org.knowcoder.io.BadInputException;

/**
 * Rotary position embedding, in the one convention used inside this engine: each head's vector is
 * a sequence of adjacent pairs (v[2i], v[2i+1]) rotated by angle pos * theta^(-2i/headDim), as in
 * Meta's LLaMA and llama2.c. Checkpoints in the rotate-half layout (Hugging Face) are mapped to this
 * one when they are loaded.
 */
public final class Rope {
    private final int headDim;
    private final float[] cos;
    private final float[] sin;

    /** Precomputes the rotations of every position below {@code maxPositions}. */
    public Rope(int headDim, int maxPositions, float theta) {
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head size, got " + headDim);
        this.headDim = headDim;
        int half = headDim / 2;
        // a corrupt or absurd context (2^31 - 1) would overflow the table size into a negative one
        if ((long) maxPositions * half > Integer.MAX_VALUE - 8) {
            throw new BadInputException("a context of " + maxPositions + " positions needs RoPE tables larger than a Java array"
                    + " (check seq_len or max_position_embeddings)");
        }
        this.cos = new float[maxPositions * half];
        this.sin = new float[maxPositions * half];
        for (int i = 0; i < half; i++) {
            // float arithmetic as llama2.c: freq = 1 / theta^(2i / headDim), angle = pos * freq
            float freq = (float) (1.0 / Math.pow(theta, (2 * i) / (float) headDim));
            for (int pos = 0; pos < maxPositions; pos++) {
                float angle = pos * freq;
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        }
    }

    public int headDim() {
        return headDim;
    }

    public int maxPositions() {
        return cos.length / (headDim / 2);
    }

    /** cos of the angle pair i of a head is rotated by at position {@code pos}. */
    public float cos(int pos, int i) {
        return cos[pos * (headDim / 2) + i];
    }

    /** sin of the angle pair i of a head is rotated by at position {@code pos}. */
    public float sin(int pos, int i) {
        return sin[pos * (headDim / 2) + i];
    }

    /** Rotates {@code heads} consecutive head vectors starting at v[off] for position {@code pos}. */
    public void apply(float[] v, int off, int heads, int pos) {
        int half = headDim / 2;
        int base = pos * half;
        for (int h = 0; h < heads; h++) {
            int o = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float c = cos[base + i], s = sin[base + i];
                float a = v[o + 2 * i], b = v[o + 2 * i + 1];
                v[o + 2 * i] = a * c - b * s;
                v[o + 2 * i + 1] = a * s + b * c;
            }
        }
    }
}

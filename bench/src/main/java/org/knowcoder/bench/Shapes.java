package org.knowcoder.bench;

import org.knowcoder.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/** Benchmark inputs: copies of a weight matrix that together outgrow the caches, and activations. */
final class Shapes {
    private Shapes() {}

    /**
     * {@code w} and enough byte-for-byte copies of it (at least two in all) that together they hold
     * {@code bytes}. Copying is far cheaper than drawing more random numbers, and the values do not
     * matter for speed; what matters is that every copy is distinct memory.
     */
    static Tensor[] copies(Tensor w, long bytes, Arena arena) {
        int n = (int) Math.max(2, (bytes + w.weightBytes() - 1) / w.weightBytes());
        Tensor[] out = new Tensor[n];
        out[0] = w;
        for (int i = 1; i < n; i++) out[i] = w.copyTo(w.name() + i, arena);
        return out;
    }

    /** Activations of a normalised hidden state: N(0, 1). */
    static float[] randomVector(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }
}

package org.knowcoder.model;

import org.knowcoder.tensor.kernels.VectorMath;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * LoRA adapters applied at inference without merging: projection p of layer l computes
 * W x + scale * B (A x), with A [r, in] and B [out, r] kept beside the untouched base weights.
 * The extra work per token is two thin products, so an adapter can be tried on a base (in its file
 * dtype, memory-mapped) without writing a merged copy.
 */
public final class LowRankUpdates {
    private record Factors(float[] a, float[] b, int rank, int in, int out) {}

    private final float scale;
    private final Map<Integer, Map<Projection, Factors>> byLayer = new HashMap<>();
    private float[] hidden = new float[0];

    public LowRankUpdates(float scale) {
        this.scale = scale;
    }

    /** Adds the factors of projection {@code p} in {@code layer}: a is [rank, in], b is [out, rank]. */
    public void put(int layer, Projection p, float[] a, float[] b, int rank, int in, int out) {
        if (a.length != rank * in || b.length != out * rank) throw new IllegalArgumentException("LoRA factors of " + p + " do not fit [" + rank + ", " + in + "] and [" + out + ", " + rank + "]");
        byLayer.computeIfAbsent(layer, l -> new EnumMap<>(Projection.class)).put(p, new Factors(a, b, rank, in, out));
    }

    /** out[t] += scale * B (A in[t]) for the n rows of a projection's input and output. */
    public void addTo(int layer, Projection p, float[] in, int n, float[] out) {
        Map<Projection, Factors> m = byLayer.get(layer);
        Factors f = m == null ? null : m.get(p);
        if (f == null) return;
        if (hidden.length < f.rank) hidden = new float[f.rank];
        for (int t = 0; t < n; t++) {
            int io = t * f.in, oo = t * f.out;
            for (int k = 0; k < f.rank; k++) hidden[k] = scale * VectorMath.dot(f.a, k * f.in, in, io, f.in);
            for (int o = 0; o < f.out; o++) out[oo + o] += VectorMath.dot(f.b, o * f.rank, hidden, 0, f.rank);
        }
    }
}

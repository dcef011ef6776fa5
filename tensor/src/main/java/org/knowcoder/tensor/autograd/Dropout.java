package org.knowcoder.tensor.autograd;

import java.util.SplittableRandom;

/**
 * Inverted dropout: each element is zeroed with probability p and the rest scaled by 1 / (1 - p),
 * drawn from {@code seed} so a resumed run draws the same mask. Backward applies the same mask.
 */
public final class Dropout {
    private Dropout() {}

    public static Var apply(Tape tape, Var x, float p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        if (p == 0) return x;
        SplittableRandom rng = new SplittableRandom(seed);
        float keep = 1f / (1f - p);
        float[] mask = new float[x.size()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < p ? 0f : keep;
        Var y = tape.result("dropout", x.rows(), x.cols(), x.requiresGrad());
        float[] in = x.value(), out = y.value();
        for (int i = 0; i < mask.length; i++) out[i] = in[i] * mask[i];
        tape.record(y, () -> {
            float[] dy = y.grad(), dx = x.gradForUpdate();
            for (int i = 0; i < mask.length; i++) dx[i] += dy[i] * mask[i];
        }, x);
        return y;
    }
}

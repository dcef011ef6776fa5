package org.knowcoder.tensor.autograd;

import java.util.SplittableRandom;

/**
 * Inverted dropout: each element is zeroed with probability p and the rest scaled by 1 / (1 - p),
 * drawn from {@code seed} so a resumed run draws the same mask. Backward applies the same mask.
 * Each element's draw is 16 bits of a 64-bit random number (a fourth of the generator's calls of
 * one draw each), so p is taken to the nearest multiple of 2^-16 and the scale is that p's.
 */
public final class Dropout {
    private Dropout() {}

    public static Var apply(Tape tape, Var x, float p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        int dropBelow = Math.round(p * 65536f);
        if (dropBelow == 0) return x;
        SplittableRandom rng = new SplittableRandom(seed);
        float keep = 65536f / (65536 - dropBelow);
        int n = x.size();
        float[] mask = tape.take(n);
        long bits = 0;
        for (int i = 0; i < n; i++) {
            if ((i & 3) == 0) bits = rng.nextLong();
            mask[i] = (bits & 0xFFFF) < dropBelow ? 0f : keep;
            bits >>>= 16;
        }
        Var y = tape.result("dropout", x.rows(), x.cols(), x.requiresGrad());
        float[] in = x.value(), out = y.value();
        for (int i = 0; i < n; i++) out[i] = in[i] * mask[i];
        tape.record(y, () -> {
            float[] dy = y.grad(), dx = x.gradForUpdate();
            for (int i = 0; i < n; i++) dx[i] += dy[i] * mask[i];
            tape.give(mask);
        }, x);
        return y;
    }
}

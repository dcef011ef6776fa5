package org.knowcoder.model.session;

import java.util.Arrays;

/**
 * Picks the next token from logits exactly as llama2.c's sampler does, so a seed reproduces its
 * output: temperature 0 is argmax; otherwise logits / temperature, softmax, one draw from the
 * xorshift RNG, then plain multinomial sampling or top-p (nucleus) sampling.
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private long state;
    private final long[] candidates;

    public Sampler(int vocabSize, float temperature, float topP, long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.state = seed;
        this.candidates = new long[vocabSize];
    }

    /** Samples from {@code logits}, which it overwrites with probabilities unless greedy. */
    public int sample(float[] logits) {
        if (temperature == 0f) return argmax(logits);
        for (int i = 0; i < logits.length; i++) logits[i] /= temperature;
        softmax(logits);
        float coin = nextFloat();
        return topP <= 0 || topP >= 1 ? sampleMultinomial(logits, coin) : sampleTopP(logits, coin);
    }

    /**
     * Samples among the {@code n} allowed ids only: the other logits become -infinity, so the softmax
     * renormalizes over the allowed tokens. Overwrites {@code logits}, a row of the vocabulary's size.
     */
    public int sample(float[] logits, int[] allowed, int n) {
        float[] kept = new float[n];
        for (int i = 0; i < n; i++) kept[i] = logits[allowed[i]];
        java.util.Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) logits[allowed[i]] = kept[i];
        return sample(logits);
    }

    /** Among the {@code n} ids of {@code allowed}, the one whose logit in the row at {@code offset} is largest (the first listed on ties); -1 when n is 0. */
    public static int argmax(float[] logits, int offset, int[] allowed, int n) {
        int best = -1;
        for (int i = 0; i < n; i++) if (best < 0 || logits[offset + allowed[i]] > logits[offset + best]) best = allowed[i];
        return best;
    }

    /** Index of the largest value; the first one on ties (llama2.c's greedy choice). */
    public static int argmax(float[] v) {
        return argmax(v, 0, v.length);
    }

    /** {@link #argmax(float[])} of v[offset, offset + n): one row of a batch of logits. */
    public static int argmax(float[] v, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (v[offset + i] > v[offset + best]) best = i;
        return best;
    }

    /** llama2.c's scalar softmax: same order of float operations, division by the sum. */
    private static void softmax(float[] x) {
        float max = x[0];
        for (int i = 1; i < x.length; i++) if (x[i] > max) max = x[i];
        float sum = 0f;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < x.length; i++) x[i] /= sum;
    }

    /** xorshift64* as llama2.c's random_u32, then 24 random bits as a float in [0, 1). */
    private float nextFloat() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        int u32 = (int) ((state * 0x2545F4914F6CDD1DL) >>> 32);
        return (u32 >>> 8) / 16777216.0f;
    }

    private static int sampleMultinomial(float[] p, float coin) {
        float cdf = 0f;
        for (int i = 0; i < p.length; i++) {
            cdf += p[i];
            if (coin < cdf) return i;
        }
        return p.length - 1;
    }

    /**
     * Top-p: tokens whose probability clears (1 - p) / (n - 1) are sorted by probability, the
     * shortest prefix whose mass exceeds p is kept, and the coin is scaled to that mass.
     * Candidates are packed into longs (inverted probability bits, then index) so sorting allocates nothing.
     */
    private int sampleTopP(float[] p, float coin) {
        float cutoff = (1.0f - topP) / (p.length - 1);
        int n = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] >= cutoff) candidates[n++] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(p[i])) << 32) | i;
        }
        Arrays.sort(candidates, 0, n);
        float cumulative = 0f;
        int last = n - 1;
        for (int i = 0; i < n; i++) {
            cumulative += p[index(candidates[i])];
            if (cumulative > topP) {
                last = i;
                break;
            }
        }
        float r = coin * cumulative;
        float cdf = 0f;
        for (int i = 0; i <= last; i++) {
            cdf += p[index(candidates[i])];
            if (r < cdf) return index(candidates[i]);
        }
        return index(candidates[last]);
    }

    private static int index(long candidate) {
        return (int) candidate;
    }
}

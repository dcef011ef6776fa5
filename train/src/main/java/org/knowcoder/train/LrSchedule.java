package org.knowcoder.train;

/**
 * Linear warmup to the peak, then cosine decay to {@code minRatio} of the peak at {@code totalSteps}
 * (KnowCoder's recipe: decay to 10%). Step t counts from 0:
 * t < warmup: peak (t + 1) / warmup; else min + (peak - min) (1 + cos(pi (t - warmup) / (total - warmup))) / 2.
 */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {

    public LrSchedule {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps || !(minRatio >= 0 && minRatio <= 1)) {
            throw new IllegalArgumentException("bad schedule: peak " + peak + ", warmup " + warmupSteps + ", total "
                    + totalSteps + ", min ratio " + minRatio);
        }
    }

    /** Warmup as a fraction of the total steps (e.g. 0.1 or 0.03), rounded. */
    public static LrSchedule withWarmupRatio(double peak, double warmupRatio, int totalSteps, double minRatio) {
        return new LrSchedule(peak, (int) Math.round(warmupRatio * totalSteps), totalSteps, minRatio);
    }

    public double lr(int step) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        double min = minRatio * peak;
        if (totalSteps == warmupSteps) return min;
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
    }
}

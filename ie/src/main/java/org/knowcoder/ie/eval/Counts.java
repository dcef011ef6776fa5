package org.knowcoder.ie.eval;

/** Predicted, gold and matching tuple counts, and the micro scores they give (0 where undefined). */
public record Counts(long pred, long gold, long tp) {
    public static final Counts ZERO = new Counts(0, 0, 0);

    public Counts plus(Counts o) {
        return new Counts(pred + o.pred, gold + o.gold, tp + o.tp);
    }

    public double precision() {
        return pred == 0 ? 0 : (double) tp / pred;
    }

    public double recall() {
        return gold == 0 ? 0 : (double) tp / gold;
    }

    /** 2PR/(P+R), computed from P and R as KnowCoder's evaluation does (so its numbers match to the last digit). */
    public double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
}

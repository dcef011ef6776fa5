package org.knowcoder.ie.eval;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Micro P/R/F1 over sentences, each sentence's predictions and gold taken as sets: overall, per
 * type (label) and per dataset, plus the macro average over datasets that the paper's tables give.
 */
public final class Scorer {
    private Counts total = Counts.ZERO;
    private final Map<String, Counts> perType = new TreeMap<>();
    private final Map<String, Counts> perDataset = new TreeMap<>();

    /** P, R and F1 averaged over datasets (each dataset's micro scores weigh the same). */
    public record Macro(double precision, double recall, double f1) {}

    /** Adds one sentence of {@code dataset}. */
    public void add(String dataset, Set<Tuple> predicted, Set<Tuple> gold) {
        long tp = 0;
        for (Tuple t : predicted) {
            boolean hit = gold.contains(t);
            if (hit) tp++;
            perType.merge(t.type(), new Counts(1, 0, hit ? 1 : 0), Counts::plus);
        }
        for (Tuple t : gold) perType.merge(t.type(), new Counts(0, 1, 0), Counts::plus);
        Counts sentence = new Counts(predicted.size(), gold.size(), tp);
        total = total.plus(sentence);
        perDataset.merge(dataset, sentence, Counts::plus);
    }

    public Counts total() {
        return total;
    }

    public Map<String, Counts> perType() {
        return Map.copyOf(perType);
    }

    public Map<String, Counts> perDataset() {
        return Map.copyOf(perDataset);
    }

    public Macro macroOverDatasets() {
        double p = 0, r = 0, f = 0;
        for (Counts c : perDataset.values()) {
            p += c.precision();
            r += c.recall();
            f += c.f1();
        }
        int n = Math.max(1, perDataset.size());
        return new Macro(p / n, r / n, f / n);
    }
}

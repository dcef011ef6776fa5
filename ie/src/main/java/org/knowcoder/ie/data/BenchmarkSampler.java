package org.knowcoder.ie.data;

import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The KnowCoder benchmark's test subsets (paper, Appendix F): for each type, of the x samples that
 * hold it, k = ceil(x / s) are drawn at random; the samples holding nothing of the task are drawn
 * the same way. A sample drawn for several types, or with the same text as one drawn before, is kept
 * once. Types are visited in sorted order with one seeded generator, so a seed fixes the subset.
 */
public final class BenchmarkSampler {
    /** s of the paper: 14 for NER, 4 for RE. */
    public static final int NER_STEP = 14, RE_STEP = 4;
    public static final long DEFAULT_SEED = 42;

    private BenchmarkSampler() {}

    /** The subset, in the order of {@code samples}. */
    public static List<Sample> sample(List<Sample> samples, Task task, int step, long seed) {
        if (step < 1) throw new IllegalArgumentException("the step s must be at least 1, got " + step);
        Map<String, List<Integer>> byType = new TreeMap<>();
        List<Integer> empty = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Set<String> types = types(samples.get(i), task);
            if (types.isEmpty()) empty.add(i);
            for (String t : types) byType.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
        }
        Random random = new Random(seed);
        Set<Integer> chosen = new HashSet<>();
        for (List<Integer> holders : byType.values()) chosen.addAll(draw(holders, step, random));
        chosen.addAll(draw(empty, step, random));
        List<Sample> out = new ArrayList<>();
        Set<String> texts = new HashSet<>();
        for (int i = 0; i < samples.size(); i++) {
            if (chosen.contains(i) && texts.add(samples.get(i).text())) out.add(samples.get(i));
        }
        return out;
    }

    private static List<Integer> draw(List<Integer> from, int step, Random random) {
        List<Integer> shuffled = new ArrayList<>(from);
        Collections.shuffle(shuffled, random);
        return shuffled.subList(0, (from.size() + step - 1) / step);
    }

    /** The types of the task's annotations in a sample. */
    static Set<String> types(Sample s, Task task) {
        Set<String> out = new LinkedHashSet<>();
        switch (task) {
            case NER -> s.entities().stream().map(Mention::type).forEach(out::add);
            case RE -> s.relations().stream().map(Relation::type).forEach(out::add);
            case ED, EAE -> s.events().stream().map(Event::type).forEach(out::add);
        }
        return out;
    }
}

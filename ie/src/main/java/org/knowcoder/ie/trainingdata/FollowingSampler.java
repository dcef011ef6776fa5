package org.knowcoder.ie.trainingdata;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.ie.prompt.Query;
import org.knowcoder.ie.prompt.PyCode;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the classes of each schema-following sample (paper section 3.3 and Appendix E):
 * the gold classes plus {@code negativeRatio} times as many other classes (rounded up), or, for a
 * {@code fullyNegativeShare} of the sentences, only {@code fullyNegativeClasses} classes absent from
 * the sentence and {@code results = []}; the class order is shuffled. EAE states its triggers, so
 * it gets neither: a class without a confirmed trigger could never be instantiated there.
 * A {@code refinementShare} of the instructions take the evaluation's form instead ({@link FollowingOptions}).
 * Each sample draws from its own random stream, seeded by the seed, its index and the task, so the
 * result does not depend on how samples are spread over threads.
 */
final class FollowingSampler {
    private final ClassResolver classes;
    private final FollowingOptions options;
    private final Map<Kind, List<Concept>> byKind = new EnumMap<>(Kind.class);
    /** By dataset and task: built once, the class code of a dataset being the same for all its sentences. */
    private final Map<String, Optional<Query>> refinementQueries = new ConcurrentHashMap<>();

    FollowingSampler(ClassResolver classes, FollowingOptions options) {
        this.classes = classes;
        this.options = options;
        for (Kind k : Kind.values()) byKind.put(k, classes.library().taxonomy(k).concepts());
    }

    /** The sample's instructions, one per task that has gold annotations or drew a fully negative sample. */
    List<FollowingSample> build(Sample s, long index) {
        List<FollowingSample> out = new ArrayList<>(options.tasks().size());
        for (Task task : options.tasks()) {
            SplittableRandom rng = new SplittableRandom(options.seed() ^ (index * 0x9E3779B97F4A7C15L) ^ ((long) task.ordinal() << 56));
            Gold gold = Gold.of(task, s, classes);
            // drawn only when asked for, so that data built without refinement keeps its bytes
            if (options.refinementShare() > 0 && rng.nextDouble() < options.refinementShare()) {
                Query query = refinementQuery(task, s.dataset());
                if (query != null) {
                    out.add(new FollowingSample(task, query.query(s.text(), gold.confirmedTriggers()), PyCode.results(gold.instances()), gold));
                    continue;
                }
            }
            List<Concept> chosen;
            boolean negative = task != Task.EAE && rng.nextDouble() < options.fullyNegativeShare();
            if (negative) {
                chosen = draw(task.kind(), options.fullyNegativeClasses(), new HashSet<>(gold.classes()), rng);
                gold = new Gold(task, List.of(), List.of(), List.of());
            } else if (gold.classes().isEmpty()) {
                continue;
            } else {
                chosen = new ArrayList<>(classes.library().select(task.kind(), gold.classes()));
                if (task != Task.EAE) {
                    int k = (int) Math.ceil(options.negativeRatio() * gold.classes().size() - 1e-9);
                    chosen.addAll(draw(task.kind(), k, new HashSet<>(gold.classes()), rng));
                }
            }
            shuffle(chosen, rng);
            String dataset = options.datasetTag() && !s.dataset().isEmpty() ? s.dataset() : null;
            String prompt = FollowingPrompt.query(task, chosen, s.text(), dataset, gold.confirmedTriggers());
            out.add(new FollowingSample(task, prompt, PyCode.results(gold.instances()), gold));
        }
        return out;
    }

    /**
     * The evaluation's query for the dataset's classes of this task, or null when the dataset has no
     * label map for it (its sentences then take the sampled form).
     */
    private Query refinementQuery(Task task, String dataset) {
        if (dataset == null || dataset.isEmpty()) return null;
        return refinementQueries.computeIfAbsent(dataset + "\t" + task, k -> {
            LabelMap labels;
            try {
                labels = DatasetLabels.load(dataset.toLowerCase(Locale.ROOT)).get(task);
            } catch (IllegalArgumentException none) {
                return Optional.<Query>empty();
            }
            if (labels == null) return Optional.<Query>empty();
            String tag = options.datasetTag() ? dataset : null;
            return Optional.of(new Query(DatasetSchema.of(task, labels, classes.library()), tag, List.of()));
        }).orElse(null);
    }

    /** Up to {@code n} distinct classes of the kind, none of them in {@code absent}. */
    private List<Concept> draw(Kind kind, int n, Set<String> absent, SplittableRandom rng) {
        List<Concept> all = byKind.get(kind);
        List<Concept> out = new ArrayList<>(n);
        if (n <= 0) return out;
        Set<String> taken = new HashSet<>(absent);
        if (2L * (n + taken.size()) > all.size()) { // a small library: shuffle the candidates instead of guessing
            List<Concept> candidates = new ArrayList<>(all.stream().filter(c -> !taken.contains(c.name())).toList());
            shuffle(candidates, rng);
            return candidates.subList(0, Math.min(n, candidates.size()));
        }
        while (out.size() < n) {
            Concept c = all.get(rng.nextInt(all.size()));
            if (taken.add(c.name())) out.add(c);
        }
        return out;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            list.set(j, list.set(i, list.get(j)));
        }
    }
}

package org.knowcoder.ie.eval;

import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Predicted samples (the output of {@code extract}: class names, spans placed in the text) scored
 * against gold samples as {@code eval} scores generated code: each class mapped to the dataset's
 * label, a class outside the label map dropped, spans compared by text, a sentence's tuples a set.
 * So extraction's output re-scored gives the scores of an evaluation that saw the same code.
 */
public final class SampleScores {
    private SampleScores() {}

    /**
     * Scores {@code predicted} against {@code gold} for each task {@code labels} has. A prediction is
     * paired with the gold sample of its id when every prediction's id is a gold id, else by
     * position, which then needs as many predictions as gold samples and the same texts.
     */
    public static Map<Task, Scorer> score(String dataset, Map<Task, LabelMap> labels, List<Sample> predicted, List<Sample> gold) {
        List<Sample> pairedGold = pair(predicted, gold);
        Map<Task, Scorer> out = new EnumMap<>(Task.class);
        for (Task task : Task.values()) {
            LabelMap map = labels.get(task);
            if (map == null) continue;
            Scorer scorer = new Scorer();
            for (int i = 0; i < predicted.size(); i++) {
                scorer.add(dataset, GoldTuples.of(task, relabel(predicted.get(i), map), SpanMode.TEXT),
                        GoldTuples.of(task, pairedGold.get(i), SpanMode.TEXT));
            }
            out.put(task, scorer);
        }
        return out;
    }

    private static List<Sample> pair(List<Sample> predicted, List<Sample> gold) {
        Map<String, Sample> byId = new HashMap<>();
        for (Sample g : gold) byId.put(g.id(), g);
        if (!predicted.isEmpty() && predicted.stream().allMatch(p -> byId.containsKey(p.id()))) {
            return predicted.stream().map(p -> byId.get(p.id())).toList();
        }
        if (predicted.size() != gold.size()) {
            throw new BadInputException(predicted.size() + " predictions for " + gold.size() + " gold sentences, and their ids do not match the gold ids");
        }
        for (int i = 0; i < gold.size(); i++) {
            if (!predicted.get(i).text().equals(gold.get(i).text())) {
                throw new BadInputException("prediction " + (i + 1) + " is not about gold sentence " + (i + 1) + ": \""
                        + predicted.get(i).text() + "\" vs \"" + gold.get(i).text() + "\"");
            }
        }
        return gold;
    }

    /** The sample with class names replaced by the dataset's labels (and argument names by its roles), unmapped classes dropped. */
    private static Sample relabel(Sample s, LabelMap map) {
        List<Mention> entities = new ArrayList<>();
        for (Mention m : s.entities()) label(map, m.type()).ifPresent(l -> entities.add(new Mention(l, m.text(), m.start(), m.end())));
        List<Relation> relations = new ArrayList<>();
        for (Relation r : s.relations()) {
            // as eval drops a relation of an entity with itself
            if (!r.head().text().equals(r.tail().text())) label(map, r.type()).ifPresent(l -> relations.add(new Relation(l, r.head(), r.tail())));
        }
        List<Event> events = new ArrayList<>();
        for (Event e : s.events()) {
            label(map, e.type()).ifPresent(l -> events.add(new Event(l, e.trigger(),
                    e.arguments().stream().map(a -> new Argument(map.role(a.role()), a.span())).toList())));
        }
        return new Sample(s.id(), s.dataset(), s.text(), entities, relations, events);
    }

    private static Optional<String> label(LabelMap map, String className) {
        return className == null ? Optional.empty() : map.label(className, TypeHierarchy.NONE);
    }
}

package org.knowcoder.ie.eval;

import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.schema.Task;

import java.util.LinkedHashSet;
import java.util.Set;

/** A sample's gold annotations as the tuples of one task (a set: a fact annotated twice counts once). */
public final class GoldTuples {
    private GoldTuples() {}

    public static Set<Tuple> of(Task task, Sample sample, SpanMode mode) {
        Set<Tuple> out = new LinkedHashSet<>();
        switch (task) {
            case NER -> {
                for (Mention m : sample.entities()) out.add(Tuple.of(m.type(), mode.gold(m)));
            }
            case RE -> {
                for (Relation r : sample.relations()) out.add(Tuple.of(r.type(), mode.gold(r.head()), mode.gold(r.tail())));
            }
            case ED -> {
                for (Event e : sample.events()) out.add(Tuple.of(e.type(), mode.gold(e.trigger())));
            }
            case EAE -> {
                for (Event e : sample.events()) {
                    for (Argument a : e.arguments()) out.add(Tuple.of(e.type(), a.role(), mode.gold(a.span())));
                }
            }
        }
        return out;
    }
}

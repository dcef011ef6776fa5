package org.knowcoder.ie.data;

import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;

import java.util.Set;
import java.util.TreeSet;

/** What a split holds: sentences, annotations of each kind, distinct types of each kind, and what the reader reported. */
public record SplitStats(String dataset, String split, int sentences, int entities, int relations, int events, int arguments,
                         Set<String> entityTypes, Set<String> relationTypes, Set<String> eventTypes, int unplaced, int repaired) {

    public static SplitStats of(Split s) {
        int entities = 0, relations = 0, events = 0, arguments = 0;
        Set<String> et = new TreeSet<>(), rt = new TreeSet<>(), evt = new TreeSet<>();
        for (Sample sample : s.samples()) {
            entities += sample.entities().size();
            relations += sample.relations().size();
            events += sample.events().size();
            for (Mention m : sample.entities()) et.add(m.type());
            for (Relation r : sample.relations()) rt.add(r.type());
            for (Event e : sample.events()) {
                evt.add(e.type());
                arguments += e.arguments().size();
            }
        }
        return new SplitStats(s.dataset(), s.name(), s.samples().size(), entities, relations, events, arguments,
                et, rt, evt, s.unplaced().size(), s.repaired().size());
    }
}

package org.knowcoder.ie;

import java.util.List;

/** One sentence (or short passage) with its gold annotations: the IE sample format of DESIGN.md "IE data". */
public record Sample(String id, String dataset, String text, List<Mention> entities, List<Relation> relations, List<Event> events) {
    public Sample {
        entities = List.copyOf(entities);
        relations = List.copyOf(relations);
        events = List.copyOf(events);
    }

    /** Whether the sample has no annotation at all (the sampler draws these separately). */
    public boolean isEmpty() {
        return entities.isEmpty() && relations.isEmpty() && events.isEmpty();
    }
}

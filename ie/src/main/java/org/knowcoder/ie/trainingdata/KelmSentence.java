package org.knowcoder.ie.trainingdata;

import org.knowcoder.schema.Concept;

import java.util.List;

/**
 * One cleaned corpus sentence with its facts resolved to library classes (corpus format in
 * {@link KelmReader}).
 */
record KelmSentence(String text, List<Typed> entities, List<RelationFact> relations, List<EventFact> events) {

    /** An entity mention: its name and its types, first type first (used where one type is needed). */
    record Typed(String name, List<Concept> types) {
        String mainType() {
            return types.getFirst().name();
        }
    }

    record RelationFact(Concept relation, Typed head, Typed tail) {}

    /** An n-ary fact; {@code trigger} is null when the corpus names none (a relation with sub-properties). */
    record EventFact(Concept event, String trigger, List<Filler> arguments) {}

    record Filler(String role, Typed entity) {}
}

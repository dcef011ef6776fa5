package org.knowcoder.ie.text;

import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;

import java.util.List;

/**
 * What extraction found in one input, offsets into its text (DESIGN "IE data"), with the code the
 * model wrote for each chunk and task.
 *
 * @param sentences the sentences the input was split into
 * @param truncated whether a sentence was longer than a prompt holds and was cut into pieces
 */
public record TextResult(String id, String text, List<Mention> entities, List<Relation> relations, List<Event> events,
                         int sentences, boolean truncated, List<Generated> generated) {
    public TextResult {
        entities = List.copyOf(entities);
        relations = List.copyOf(relations);
        events = List.copyOf(events);
        generated = List.copyOf(generated);
    }

    /** The code generated for one task on characters [start, end) of the input. */
    public record Generated(String task, int start, int end, String code) {}
}

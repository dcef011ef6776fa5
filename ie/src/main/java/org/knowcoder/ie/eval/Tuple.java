package org.knowcoder.ie.eval;

import java.util.List;

/**
 * One scored fact: the label first, then the role (EAE) and the spans, each span written as its text
 * or, in offset mode, as {@code start:end}. Equal tuples are the same fact.
 */
public record Tuple(List<String> fields) {
    public Tuple {
        fields = List.copyOf(fields);
    }

    public static Tuple of(String... fields) {
        return new Tuple(List.of(fields));
    }

    /** The label, by which per-type scores are kept (the event label for EAE). */
    public String type() {
        return fields.getFirst();
    }
}

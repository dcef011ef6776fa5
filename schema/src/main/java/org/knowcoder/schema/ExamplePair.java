package org.knowcoder.schema;

import java.util.Objects;

/** A relation example: the head and tail mentions, rendered as {@code (head, tail)}. */
public record ExamplePair(String head, String tail) {
    public ExamplePair {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(tail, "tail");
    }
}

package org.knowcoder.ie.eval;

import org.knowcoder.ie.Mention;

/**
 * How a span is compared: by its text (KnowCoder's own evaluation), or by character offsets, a
 * predicted string being placed at its first occurrence in the sentence (event arguments: at the
 * occurrence closest to the trigger, ties to the earlier one).
 */
public enum SpanMode {
    TEXT, OFFSETS;

    /** The key of a gold span. */
    String gold(Mention m) {
        return this == TEXT ? m.text() : m.start() + ":" + m.end();
    }

    /**
     * The key of a predicted span {@code text}, which occurs in {@code sentence}; {@code anchor} is the
     * trigger's offset for an event argument, else -1.
     */
    String predicted(String sentence, String text, int anchor) {
        if (this == TEXT) return text;
        int at = sentence.indexOf(text);
        if (anchor >= 0) {
            for (int i = at; i >= 0; i = sentence.indexOf(text, i + 1)) {
                if (Math.abs(i - anchor) < Math.abs(at - anchor)) at = i;
            }
        }
        return at + ":" + (at + text.length());
    }
}

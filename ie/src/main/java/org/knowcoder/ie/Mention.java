package org.knowcoder.ie;

/**
 * A span of a sample's text: an entity, a relation's head or tail, or an event trigger.
 *
 * @param type  the dataset's label; null where the dataset gives none (triggers, SemEval's e1/e2)
 * @param start character offset into the sample's text
 * @param end   exclusive end offset
 */
public record Mention(String type, String text, int start, int end) {
    public Mention {
        if (start < 0 || end < start) throw new IllegalArgumentException("bad span [" + start + ", " + end + ") for \"" + text + "\"");
        if (text.length() != end - start) {
            throw new IllegalArgumentException("span [" + start + ", " + end + ") does not fit its text \"" + text + "\"");
        }
    }

    /** The mention of {@code text[start, end)}, so its text is right by construction. */
    public static Mention of(String type, String text, int start, int end) {
        return new Mention(type, text.substring(start, end), start, end);
    }
}

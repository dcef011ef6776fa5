package org.knowcoder.ie.text;

/**
 * The part of an input one prompt carries: characters [start, end) of the input, holding
 * {@code sentences} whole sentences, or (truncated) a piece of one sentence too long for a prompt
 * (the first piece counts the sentence: {@code sentences} 1, the others 0).
 */
public record Chunk(int start, int end, int sentences, boolean truncated) {
    /** The chunk's text as the prompt writes it: line breaks and tabs become spaces, one for one, so offsets stay the input's. */
    public String promptText(String input) {
        char[] cs = input.substring(start, end).toCharArray();
        for (int i = 0; i < cs.length; i++) if (cs[i] == '\n' || cs[i] == '\r' || cs[i] == '\t') cs[i] = ' ';
        return new String(cs);
    }
}

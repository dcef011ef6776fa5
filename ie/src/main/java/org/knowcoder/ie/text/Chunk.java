package org.knowcoder.ie.text;

/**
 * The part of an input one prompt carries: characters [start, end) of the input, holding
 * {@code sentences} whole sentences, or (truncated) a piece of one sentence too long for a prompt
 * (the first piece counts the sentence: {@code sentences} 1, the others 0).
 */
public record Chunk(int start, int end, int sentences, boolean truncated) {
}

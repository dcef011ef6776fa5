package org.knowcoder.ie.text;

/**
 * The part of an input one prompt carries: characters [start, end) of the input, one sentence, or
 * (truncated) a piece of one too long for a prompt; {@code sentences} is 1 for a sentence or the
 * first piece of one, 0 for its other pieces.
 */
public record Chunk(int start, int end, int sentences, boolean truncated) {
}

package org.knowcoder.tokenizer;

/** The result of encoding a text: ids and, position by position, the pieces they stand for. */
public record Encoding(int[] ids, String[] pieces) {}

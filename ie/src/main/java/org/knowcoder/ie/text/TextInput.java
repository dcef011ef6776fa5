package org.knowcoder.ie.text;

/** One input to extract from: its id (echoed in the output) and its text. */
public record TextInput(String id, String text) {}

package org.knowcoder.ie;

/** A directed relation between two mentions of the same sample. */
public record Relation(String type, Mention head, Mention tail) {}

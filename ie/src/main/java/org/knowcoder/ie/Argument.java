package org.knowcoder.ie;

/** An event argument: the role it plays and its span (a mention without a type). */
public record Argument(String role, Mention span) {}

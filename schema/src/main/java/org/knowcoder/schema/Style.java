package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

import java.util.Locale;

/** The two ways KnowCoder writes a class: with its docstring (schema-following prompts) or bare (the released evaluation). */
public enum Style {
    /** Docstring with {@code Description:} and {@code Examples:}, keyword arguments spaced as {@code a = a}. */
    FOLLOWING,
    /** No docstring, {@code a=a}: the form of {@code *_class_defs.json}. */
    EVAL;

    public static Style parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "following" -> FOLLOWING;
            case "eval" -> EVAL;
            default -> throw new BadInputException("unknown style '" + name + "' (expected following or eval)");
        };
    }
}

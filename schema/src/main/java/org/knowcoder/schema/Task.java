package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

import java.util.Locale;

/** An extraction task: which kind of concept its classes are and how event classes are written. */
public enum Task {
    NER(Kind.ENTITY), RE(Kind.RELATION), ED(Kind.EVENT), EAE(Kind.EVENT);

    private final Kind kind;

    Task(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The task a kind's classes are rendered for when none is named: events show their roles (EAE). */
    public static Task of(Kind kind) {
        return switch (kind) {
            case ENTITY -> NER;
            case RELATION -> RE;
            case EVENT -> EAE;
        };
    }

    public static Task parse(String name) {
        for (Task t : values()) {
            if (t.name().equals(name.toUpperCase(Locale.ROOT))) return t;
        }
        throw new BadInputException("unknown task '" + name + "' (expected ner, re, ed or eae)");
    }
}

package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

import java.util.Locale;

/**
 * The three kinds of concept, each rooted at its base class. Names are unique within a kind only:
 * KnowCoder's library has both an entity {@code Location} and a relation {@code Location}, and
 * an entity named {@code Event}, as Python keeps them apart in {@code Entities.py}, {@code Relations.py}
 * and {@code Events.py}.
 */
public enum Kind {
    ENTITY("Entity", "an"), RELATION("Relation", "a"), EVENT("Event", "an");

    private final String baseClass;
    private final String article;

    Kind(String baseClass, String article) {
        this.baseClass = baseClass;
        this.article = article;
    }

    /** The Python base class every concept of this kind derives from. */
    public String baseClass() {
        return baseClass;
    }

    /** The lower-case name used in JSON and on the command line. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The lower-case name after its indefinite article, for messages: "an entity", "a relation", "an event". */
    public String withArticle() {
        return article + " " + jsonName();
    }

    /** Parses {@link #jsonName()}; an unknown name is a BadInputException naming it. */
    public static Kind parse(String name) {
        for (Kind k : values()) {
            if (k.jsonName().equals(name)) return k;
        }
        throw new BadInputException("unknown concept kind '" + name + "' (expected entity, relation or event)");
    }
}

package org.knowcoder.ie.eval;

/** The four extraction tasks and what their scored tuples hold. */
public enum Task {
    /** (label, span) */
    NER,
    /** (label, head, tail) */
    RE,
    /** (label, trigger) */
    ED,
    /** (event label, role, span) */
    EAE;

    public static Task parse(String name) {
        for (Task t : values()) if (t.name().equalsIgnoreCase(name)) return t;
        throw new IllegalArgumentException("unknown task \"" + name + "\"; expected NER, RE, ED or EAE");
    }
}

package org.knowcoder.ie.output;

import java.util.List;
import java.util.Map;

/** The Python values KnowCoder writes in its results: strings, calls (instances), lists, and anything else as raw text. */
public sealed interface PyValue {
    record Str(String value) implements PyValue {}

    /** {@code Name(positional..., keyword=value...)}; keyword order is kept. */
    record Call(String name, List<PyValue> positional, Map<String, PyValue> keywords) implements PyValue {}

    record PyList(List<PyValue> items) implements PyValue {}

    /** A name, number or other bare token ({@code None}, {@code 3}). */
    record Bare(String text) implements PyValue {}

    /**
     * The text a value names: a string, or the first argument of a call like {@code Entity("Ann")};
     * null otherwise.
     */
    static String text(PyValue v) {
        if (v instanceof Str s) return s.value;
        if (v instanceof Call c) {
            PyValue inner = !c.positional.isEmpty() ? c.positional.getFirst() : c.keywords.get("name");
            return inner instanceof Str s ? s.value : null;
        }
        return null;
    }
}

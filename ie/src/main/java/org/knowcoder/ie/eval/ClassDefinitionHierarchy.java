package org.knowcoder.ie.eval;

import org.knowcoder.ie.data.TypeHierarchy;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link TypeHierarchy} read from Python class definitions as KnowCoder writes them: every
 * {@code class X(Y):} line makes Y the parent of X (the first base when there are several);
 * {@code class X:} has none.
 */
public final class ClassDefinitionHierarchy {
    private static final Pattern CLASS = Pattern.compile("(?m)^[ \\t]*class[ \\t]+(\\w+)[ \\t]*\\([ \\t]*([\\w.]+)[^)]*\\)[ \\t]*:");

    private ClassDefinitionHierarchy() {}

    /** The hierarchy of all class lines in {@code definitions} (a later line for the same class wins). */
    public static TypeHierarchy parse(CharSequence definitions) {
        Map<String, String> parents = new HashMap<>();
        Matcher m = CLASS.matcher(definitions);
        while (m.find()) if (!m.group(1).equals(m.group(2))) parents.put(m.group(1), m.group(2));
        return TypeHierarchy.of(parents);
    }
}

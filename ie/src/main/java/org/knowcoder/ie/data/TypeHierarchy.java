package org.knowcoder.ie.data;

import java.util.Map;
import java.util.Optional;

/**
 * The class taxonomy superclass induction walks: each class's direct superclass. Backed for now by
 * class definition text (eval's ClassDefinitionHierarchy) or a map; later by the schema library.
 */
@FunctionalInterface
public interface TypeHierarchy {
    Optional<String> parentOf(String className);

    /** No class has a parent: a class outside the schema is simply dropped. */
    TypeHierarchy NONE = c -> Optional.empty();

    static TypeHierarchy of(Map<String, String> parents) {
        Map<String, String> copy = Map.copyOf(parents);
        return c -> Optional.ofNullable(copy.get(c));
    }
}

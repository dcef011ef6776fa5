package org.knowcoder.ie.data;


import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Class names to a dataset's labels for one task, plus (EAE) argument names to the dataset's roles.
 * A class outside the map is replaced by its nearest ancestor that is inside (superclass induction).
 */
public record LabelMap(Map<String, String> classToLabel, Map<String, String> argumentToRole) {
    public LabelMap {
        classToLabel = Map.copyOf(classToLabel);
        argumentToRole = Map.copyOf(argumentToRole);
    }

    public static LabelMap of(Map<String, String> classToLabel) {
        return new LabelMap(classToLabel, Map.of());
    }

    /** The label for {@code className} or its nearest mapped ancestor; empty when none is mapped. */
    public Optional<String> label(String className, TypeHierarchy hierarchy) {
        Set<String> seen = null;
        for (String c = className; c != null; ) {
            String label = classToLabel.get(c);
            if (label != null) return Optional.of(label);
            if (seen == null) seen = new HashSet<>();
            if (!seen.add(c)) break; // a cycle in a hand-written taxonomy
            c = hierarchy.parentOf(c).orElse(null);
        }
        return Optional.empty();
    }

    /** The dataset's role for an argument name; names without a mapping are taken as the role itself. */
    public String role(String argumentName) {
        return argumentToRole.getOrDefault(argumentName, argumentName);
    }
}

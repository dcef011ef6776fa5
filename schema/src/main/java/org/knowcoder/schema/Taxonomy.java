package org.knowcoder.schema;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The concepts of one kind and their tree: lookup by name, parents, ancestors, descendants and
 * superclass induction. The kind's base class ({@code Entity}, ...) is the implicit root: it is no
 * concept, but every concept is one of it. Built from validated concepts (no cycles).
 */
public final class Taxonomy {
    private final Kind kind;
    private final Map<String, Concept> byName = new LinkedHashMap<>();
    private final Map<String, List<String>> children = new HashMap<>();

    Taxonomy(Kind kind, List<Concept> concepts) {
        this.kind = kind;
        for (Concept c : concepts) byName.put(c.name(), c);
        for (Concept c : concepts) {
            children.computeIfAbsent(c.pythonParent(), p -> new ArrayList<>()).add(c.name());
        }
    }

    public Kind kind() {
        return kind;
    }

    public int size() {
        return byName.size();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public Optional<Concept> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** All concepts of this kind, in library order. */
    public List<Concept> concepts() {
        return List.copyOf(byName.values());
    }

    /** The parent's name; empty for a concept directly under the base class or unknown. */
    public Optional<String> parent(String name) {
        Concept c = byName.get(name);
        return c == null ? Optional.empty() : Optional.ofNullable(c.parent());
    }

    /** Ancestors from the parent up to the top concept below the base class (which is not listed). */
    public List<String> ancestors(String name) {
        List<String> out = new ArrayList<>();
        for (String p = parentOf(name); p != null; p = parentOf(p)) out.add(p);
        return out;
    }

    /** Direct subclasses; for the base class name, the top concepts. */
    public List<String> children(String name) {
        return Collections.unmodifiableList(children.getOrDefault(name, List.of()));
    }

    /** All subclasses, breadth first. */
    public List<String> descendants(String name) {
        List<String> out = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>(children(name));
        while (!todo.isEmpty()) {
            String next = todo.poll();
            out.add(next);
            todo.addAll(children(next));
        }
        return out;
    }

    /** Whether {@code name} is {@code type} or one of its subclasses; every known concept is its base class. */
    public boolean isA(String name, String type) {
        if (!byName.containsKey(name)) return name.equals(type);
        if (type.equals(kind.baseClass())) return true;
        for (String n = name; n != null; n = parentOf(n)) {
            if (n.equals(type)) return true;
        }
        return false;
    }

    /**
     * Superclass induction: {@code name} itself when it is in {@code allowed}, else its nearest
     * ancestor that is; empty when none is (or the name is unknown and not allowed).
     */
    public Optional<String> nearestAncestorIn(String name, Set<String> allowed) {
        if (allowed.contains(name)) return Optional.of(name);
        for (String p = parentOf(name); p != null; p = parentOf(p)) {
            if (allowed.contains(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Steps from the base class: 1 for a top concept, 0 when unknown. */
    public int depth(String name) {
        if (!byName.containsKey(name)) return 0;
        return ancestors(name).size() + 1;
    }

    private String parentOf(String name) {
        Concept c = byName.get(name);
        return c == null ? null : c.parent();
    }
}

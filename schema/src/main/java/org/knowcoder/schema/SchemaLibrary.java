package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A validated set of concepts: per-kind {@link Taxonomy}, lookup by source id, the constraint
 * checks of relations and event roles, and the post-processing of spans by class methods. Immutable.
 */
public final class SchemaLibrary {
    private final List<Concept> concepts;
    private final Map<Kind, Taxonomy> taxonomies = new EnumMap<>(Kind.class);
    private final Map<String, Concept> byId = new HashMap<>();

    private SchemaLibrary(List<Concept> concepts) {
        this.concepts = concepts;
        Map<Kind, List<Concept>> split = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) split.put(k, new ArrayList<>());
        for (Concept c : concepts) {
            split.get(c.kind()).add(c);
            for (String id : c.ids()) byId.put(id, c);
        }
        for (Kind k : Kind.values()) taxonomies.put(k, new Taxonomy(k, split.get(k)));
    }

    /** The library of these concepts, or an {@link InvalidSchemaException} listing every rule they break. */
    public static SchemaLibrary of(Collection<Concept> concepts) {
        List<Problem> problems = SchemaValidator.check(concepts);
        if (!problems.isEmpty()) throw new InvalidSchemaException(problems);
        return new SchemaLibrary(List.copyOf(concepts));
    }

    /** All concepts, in the order given. */
    public List<Concept> concepts() {
        return concepts;
    }

    public int size() {
        return concepts.size();
    }

    public Taxonomy taxonomy(Kind kind) {
        return taxonomies.get(kind);
    }

    public Taxonomy entities() {
        return taxonomies.get(Kind.ENTITY);
    }

    public Taxonomy relations() {
        return taxonomies.get(Kind.RELATION);
    }

    public Taxonomy events() {
        return taxonomies.get(Kind.EVENT);
    }

    public Optional<Concept> get(Kind kind, String name) {
        return taxonomies.get(kind).get(name);
    }

    /**
     * The named concepts of a kind, in the order given; an unknown name is a BadInputException
     * naming it, and saying what it is where the library has it as another kind.
     */
    public List<Concept> select(Kind kind, List<String> names) {
        List<Concept> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(get(kind, n).orElseThrow(() -> new BadInputException("no " + kind.jsonName() + " " + n + " in the library"
                    + (kindsOf(n).isEmpty() ? "" : " (" + n + " is " + described(kindsOf(n)) + ")"))));
        }
        return out;
    }

    /**
     * The first kind (entity, relation, event) that has all these names; else a BadInputException
     * naming what is missing, or what each name is when they are of different kinds.
     */
    public Kind kindOf(List<String> names) {
        for (Kind k : Kind.values()) {
            if (names.stream().allMatch(taxonomy(k)::contains)) return k;
        }
        for (String n : names) {
            if (kindsOf(n).isEmpty()) throw new BadInputException("no concept " + n + " in the library");
        }
        throw new BadInputException(String.join(",", names) + " are not all of one kind: "
                + names.stream().map(n -> n + " is " + described(kindsOf(n))).collect(Collectors.joining(", ")));
    }

    /** The kinds that have a concept of this name (kinds are separate name spaces). */
    private List<Kind> kindsOf(String name) {
        return Arrays.stream(Kind.values()).filter(k -> taxonomy(k).contains(name)).toList();
    }

    private static String described(List<Kind> kinds) {
        return kinds.stream().map(Kind::withArticle).collect(Collectors.joining(" and "));
    }

    /** The concept with this source id (a Wikidata QID or property id). */
    public Optional<Concept> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * Whether the relation allows this head and tail entity type: each must be one of the
     * relation's types or a subclass of one; a side without types takes any entity. False for an
     * unknown relation.
     */
    public boolean allows(String relation, String headType, String tailType) {
        return relations().get(relation)
                .map(r -> fits(headType, r.headTypes()) && fits(tailType, r.tailTypes()))
                .orElse(false);
    }

    /** Whether the event has the role and the role may be filled by this entity type (or a subclass of one of its types). */
    public boolean allowsRole(String event, String role, String type) {
        return events().get(event)
                .flatMap(e -> e.roles().stream().filter(r -> r.name().equals(role)).findFirst())
                .map(r -> fits(type, r.types()))
                .orElse(false);
    }

    private boolean fits(String type, List<String> allowed) {
        if (allowed.isEmpty()) return true;
        for (String a : allowed) {
            if (entities().isA(type, a)) return true;
        }
        return false;
    }

    /**
     * The class methods in force for a concept, as Python resolves them: inherited from ancestors,
     * a subclass's method replacing its ancestor's of the same name; ordered from the top ancestor down.
     */
    public List<PostRule> rules(Kind kind, String name) {
        Taxonomy t = taxonomy(kind);
        List<String> chain = new ArrayList<>(t.ancestors(name).reversed());
        chain.add(name);
        Map<String, PostRule> byMethod = new LinkedHashMap<>();
        for (String n : chain) {
            t.get(n).ifPresent(c -> c.rules().forEach(r -> byMethod.put(r.method(), r)));
        }
        return List.copyOf(byMethod.values());
    }

    /**
     * A span the model produced for this concept, after the concept's class methods; null when a
     * rule drops it. An unknown concept leaves the span as it is.
     */
    public String postProcess(Kind kind, String name, String span, String sentence) {
        for (PostRule rule : rules(kind, name)) {
            span = rule.apply(span, sentence);
            if (span == null) return null;
        }
        return span;
    }
}

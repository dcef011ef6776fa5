package org.knowcoder.schema;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a set of concepts against the library's rules (see {@link Problem}). Each problem names
 * the offending concept; a library is only built, and only written, from concepts with none.
 */
public final class SchemaValidator {
    /**
     * A Python identifier as the language reference defines it: a letter (any of L), a letter
     * number (Nl) or an underscore, then also combining marks (Mn, Mc), decimal digits (Nd) and
     * connectors (Pc). Other numbers (superscripts, fractions) are not allowed anywhere.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*");
    /**
     * Identifiers Python refuses as a class name: its keywords (Python 3.12's
     * keyword.kwlist as of 3.12, the constants False, None and True among them) and __debug__, which cannot
     * be bound. Soft keywords (match, case, type, _) remain usable as names and are not here.
     */
    private static final Set<String> PYTHON_RESERVED = Set.of("False", "None", "True", "and", "as", "assert", "async", "await",
            "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
            "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
            "__debug__");

    private SchemaValidator() {}

    public static List<Problem> check(Collection<Concept> concepts) {
        List<Problem> problems = new ArrayList<>();
        Map<Kind, Map<String, Concept>> byKind = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) byKind.put(k, new HashMap<>());
        Map<String, Concept> byId = new HashMap<>();
        for (Concept c : concepts) {
            if (byKind.get(c.kind()).putIfAbsent(c.name(), c) != null) {
                problems.add(new Problem(c.label(), "duplicate-name", "defined more than once"));
            }
            for (String id : c.ids()) {
                Concept other = byId.putIfAbsent(id, c);
                if (other != null && other != c) {
                    problems.add(new Problem(c.label(), "duplicate-id", "id " + id + " also belongs to " + other.label()));
                }
            }
        }
        Map<String, Concept> entities = byKind.get(Kind.ENTITY);
        for (Concept c : concepts) {
            own(c, problems);
            if (c.parent() != null && !byKind.get(c.kind()).containsKey(c.parent())) {
                problems.add(new Problem(c.label(), "unknown-parent", "parent " + c.parent() + " is not "
                        + c.kind().withArticle() + " of the library"));
            }
            types(c, "head type", c.headTypes(), entities, problems);
            types(c, "tail type", c.tailTypes(), entities, problems);
            for (Role r : c.roles()) types(c, "type of role " + r.name(), r.types(), entities, problems);
        }
        for (Kind k : Kind.values()) cycles(byKind.get(k), problems);
        return problems;
    }

    /** The rules a concept keeps or breaks on its own. */
    private static void own(Concept c, List<Problem> problems) {
        if (!IDENTIFIER.matcher(c.name()).matches()) {
            problems.add(new Problem(c.label(), "name", "'" + c.name() + "' is not a Python identifier"));
        } else if (PYTHON_RESERVED.contains(c.name())) {
            problems.add(new Problem(c.label(), "reserved-name", "'" + c.name() + "' is reserved in Python (a keyword)"));
        }
        if (c.name().equals(c.kind().baseClass())) {
            problems.add(new Problem(c.label(), "reserved-name", "is the name of the base class"));
        }
        List<String> misplaced = new ArrayList<>();
        if (c.kind() != Kind.RELATION && !c.headTypes().isEmpty()) misplaced.add("head types");
        if (c.kind() != Kind.RELATION && !c.tailTypes().isEmpty()) misplaced.add("tail types");
        if (c.kind() != Kind.RELATION && !c.pairExamples().isEmpty()) misplaced.add("(head, tail) examples");
        if (c.kind() == Kind.RELATION && !c.examples().isEmpty()) misplaced.add("single examples (relations take pairs)");
        if (c.kind() != Kind.EVENT && !c.roles().isEmpty()) misplaced.add("roles");
        if (c.kind() != Kind.EVENT && c.edSignature() != EdSignature.KEYWORD) misplaced.add("an ED signature");
        if (!misplaced.isEmpty()) {
            problems.add(new Problem(c.label(), "kind-fields", c.kind().withArticle() + " cannot have "
                    + String.join(", ", misplaced)));
        }
        Set<String> seen = new HashSet<>();
        for (Role r : c.roles()) {
            // a keyword is allowed here: KnowCoder's own prompts name roles "from" (Marriage, SportsTeamRoster)
            if (!IDENTIFIER.matcher(r.name()).matches()) {
                problems.add(new Problem(c.label(), "name", "role '" + r.name() + "' is not a Python identifier"));
            }
            if (!seen.add(r.name())) problems.add(new Problem(c.label(), "duplicate-role", "role " + r.name() + " appears twice"));
        }
        seen.clear();
        for (PostRule rule : c.rules()) {
            if (!seen.add(rule.method())) {
                problems.add(new Problem(c.label(), "duplicate-method", "class method " + rule.method() + " appears twice"));
            }
        }
        if (c.instances() < 0) problems.add(new Problem(c.label(), "instances", "instance count is negative"));
    }

    private static void types(Concept c, String what, List<String> types, Map<String, Concept> entities, List<Problem> problems) {
        for (String t : types) {
            if (!t.equals(Kind.ENTITY.baseClass()) && !entities.containsKey(t)) {
                problems.add(new Problem(c.label(), "unknown-type", what + " " + t + " is not an entity of the library"));
            }
        }
    }

    /** Each parent cycle once, named by the concept where the walk found it, with the cycle spelled out. */
    private static void cycles(Map<String, Concept> kind, List<Problem> problems) {
        Set<String> done = new HashSet<>();
        for (String start : kind.keySet().stream().sorted().toList()) {
            List<String> path = new ArrayList<>();
            Set<String> onPath = new HashSet<>();
            String name = start;
            while (name != null && kind.containsKey(name) && !done.contains(name)) {
                if (!onPath.add(name)) {
                    List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
                    cycle.add(name);
                    problems.add(new Problem(kind.get(name).label(), "cycle",
                            "is its own ancestor: " + String.join(" -> ", cycle)));
                    break;
                }
                path.add(name);
                name = kind.get(name).parent();
            }
            done.addAll(path);
        }
    }
}

package org.knowcoder.ie.eval;

import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.output.PyValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One name, one type, across the neighbouring sentences of a text: a text names the same team, firm
 * or person many times, and a small model finds it in some sentences and not in others, or types it
 * differently from one sentence to the next. Each sentence's entities (NER instances) are checked
 * against the answers of the {@link #WINDOW} sentences on each side:
 * <ol>
 * <li>an entity whose name the window answers twice or more takes the class the window gives it
 * most often (its own on a tie);</li>
 * <li>a name the window answers, of {@link #MIN_CHARS} characters or more, that the sentence holds
 * as whole words and that no entity of the sentence holds or is held by as whole words, is added
 * with that class;</li>
 * <li>a person named in full ({@code Human}, KnowCoder's class of people, or {@code Person}, or a
 * class under either; two words or more) is named elsewhere in the window by the family name alone:
 * a capitalized last word of {@link #MIN_CHARS} or more characters takes the person's class, from
 * one mention in full, ahead of the votes of rule 1 and of rule 2's (a full name still goes first).</li>
 * </ol>
 * The window, the rules and their order were chosen on CoNLL03 dev (README, "Extraction and
 * evaluation"). Entities are read as scoring reads them ({@code Class("span")} or {@code
 * Class(name="span")}); instances without a span are left as they are.
 */
public final class NameConsistency {
    /** Sentences on each side of a sentence whose answers it is checked against. */
    public static final int WINDOW = 16;
    /** Shorter names are not added where the model did not write them (initials, "US", "de"). */
    static final int MIN_CHARS = 3;
    /** The classes of people (KnowCoder's schema, and the name users give it), whose instances are named later by the family name. */
    static final Set<String> PEOPLE = Set.of("Human", "Person");

    private final TypeHierarchy hierarchy;

    private NameConsistency(TypeHierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    /**
     * Each sentence's entities made consistent with its neighbours'.
     *
     * @param sentences the text's sentences in order (as the prompts held them)
     * @param entities  each sentence's NER instances, parsed and post-processed
     * @param hierarchy each class's superclass, to tell the classes of people
     */
    public static List<List<PyValue.Call>> apply(List<String> sentences, List<List<PyValue.Call>> entities, TypeHierarchy hierarchy) {
        if (sentences.size() != entities.size()) throw new IllegalArgumentException(sentences.size() + " sentences but " + entities.size() + " answers");
        NameConsistency c = new NameConsistency(hierarchy);
        List<List<PyValue.Call>> out = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) out.add(c.sentence(sentences.get(i), entities.get(i), window(entities, i)));
        return out;
    }

    private static List<List<PyValue.Call>> window(List<List<PyValue.Call>> entities, int i) {
        return entities.subList(Math.max(0, i - WINDOW), Math.min(entities.size(), i + WINDOW + 1));
    }

    private List<PyValue.Call> sentence(String text, List<PyValue.Call> own, List<List<PyValue.Call>> window) {
        // class counts in the window's order: a name's, and a family name's from the people named in full
        Map<String, Map<String, Integer>> names = new LinkedHashMap<>(), families = new LinkedHashMap<>();
        for (List<PyValue.Call> answer : window) {
            for (PyValue.Call call : answer) {
                String name = name(call);
                if (name == null) continue;
                names.computeIfAbsent(name, n -> new LinkedHashMap<>()).merge(call.name(), 1, Integer::sum);
                String family = family(name);
                if (family != null && isPerson(call.name())) families.computeIfAbsent(family, n -> new LinkedHashMap<>()).merge(call.name(), 1, Integer::sum);
            }
        }
        List<PyValue.Call> out = new ArrayList<>();
        List<String> held = new ArrayList<>();
        for (PyValue.Call call : own) {
            String name = name(call);
            if (name == null) {
                out.add(call);
                continue;
            }
            Map<String, Integer> votes = families.containsKey(name) ? families.get(name) : names.get(name);
            boolean voted = families.containsKey(name) || votes.values().stream().mapToInt(Integer::intValue).sum() >= 2;
            out.add(voted ? entity(majority(votes, call.name()), name) : call);
            held.add(name);
        }
        // a family name is the person's, as in the relabelling above; a full name goes before its family name
        add(names, families.keySet(), text, held, out);
        add(families, Set.of(), text, held, out);
        return out;
    }

    /** Adds each name of {@code votes}, but those {@code left}, that {@code text} holds as whole words and no held name overlaps. */
    private static void add(Map<String, Map<String, Integer>> votes, Set<String> left, String text, List<String> held, List<PyValue.Call> out) {
        for (Map.Entry<String, Map<String, Integer>> e : votes.entrySet()) {
            String name = e.getKey();
            if (left.contains(name) || name.length() < MIN_CHARS || !wholeWords(text, name) || held.stream().anyMatch(h -> wholeWords(h, name) || wholeWords(name, h))) continue;
            out.add(entity(majority(e.getValue(), null), name));
            held.add(name);
        }
    }

    /** The class counted most often; {@code own} on a tie with it, else the first counted. */
    private static String majority(Map<String, Integer> votes, String own) {
        String best = votes.containsKey(own) ? own : null;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (best == null || e.getValue() > votes.get(best)) best = e.getKey();
        }
        return best;
    }

    private boolean isPerson(String className) {
        Set<String> seen = new HashSet<>();
        for (Optional<String> c = Optional.of(className); c.isPresent() && seen.add(c.get()); c = hierarchy.parentOf(c.get())) {
            if (PEOPLE.contains(c.get())) return true;
        }
        return false; // the root reached, or a cycle in a hand-written taxonomy
    }

    /** The last word of a name of two words or more, when it is capitalized and {@link #MIN_CHARS} long; else null. */
    static String family(String name) {
        int space = name.lastIndexOf(' ');
        if (space < 0) return null;
        String last = name.substring(space + 1);
        return last.length() >= MIN_CHARS && Character.isUpperCase(last.codePointAt(0)) ? last : null;
    }

    /** Whether {@code name} occurs in {@code text} with no letter or digit just before or after it. */
    static boolean wholeWords(String text, String name) {
        for (int at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
            int end = at + name.length();
            boolean before = at > 0 && Character.isLetterOrDigit(text.codePointBefore(at));
            boolean after = end < text.length() && Character.isLetterOrDigit(text.codePointAt(end));
            if (!before && !after) return true;
        }
        return false;
    }

    /** The span of an entity instance as scoring and placement read it ({@link Predictions#argument}); null when it has none. */
    private static String name(PyValue.Call call) {
        String span = Predictions.argument(call, 0, "name");
        return span == null || span.isBlank() ? null : span;
    }

    private static PyValue.Call entity(String className, String name) {
        return new PyValue.Call(className, List.of(new PyValue.Str(name)), Map.of());
    }
}

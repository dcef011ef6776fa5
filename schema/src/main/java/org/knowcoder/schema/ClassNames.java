package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python names from Wikidata labels (paper Appendix I): classes in PascalCase ({@code place of
 * birth} becomes {@code PlaceOfBirth}, {@code DNA} becomes {@code Dna}), bracketed qualifiers
 * removed; roles in snake_case.
 */
public final class ClassNames {
    private static final Pattern BRACKETS = Pattern.compile("\\s*[(\\[]([^)\\]]*)[)\\]]");

    private ClassNames() {}

    /** The class name of a label: words capitalised and joined, brackets and their content dropped; "" when nothing is left. */
    public static String pascal(String label) {
        return words(BRACKETS.matcher(label).replaceAll(" "), true);
    }

    /** A role name: lower-case words joined by underscores ({@code location of ceremony} becomes {@code location_of_ceremony}). */
    public static String snake(String label) {
        return words(label, false);
    }

    /** The text inside the label's brackets, as PascalCase ({@code Mercury (planet)} gives {@code Planet}); "" without brackets. */
    static String qualifier(String label) {
        Matcher m = BRACKETS.matcher(label);
        StringBuilder sb = new StringBuilder();
        while (m.find()) sb.append(words(m.group(1), true));
        return sb.toString();
    }

    private static String words(String text, boolean pascal) {
        StringBuilder sb = new StringBuilder();
        boolean wordStart = true;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\'' || cp == '’') continue; // "people's" is one word
            if (!Character.isLetterOrDigit(cp)) {
                wordStart = true;
                continue;
            }
            if (wordStart && !pascal && !sb.isEmpty()) sb.append('_');
            String s = new String(Character.toChars(cp));
            sb.append(wordStart && pascal ? s.toUpperCase(Locale.ROOT) : s.toLowerCase(Locale.ROOT));
            wordStart = false;
        }
        if (!sb.isEmpty() && Character.isDigit(sb.codePointAt(0))) sb.insert(0, '_'); // identifiers cannot start with a digit
        return sb.toString();
    }

    /** One source concept to be named: id, label and instance count. */
    record Named(String id, String label, long instances) {}

    /**
     * Unique class names for one kind. Concepts claim names in order of instances (most first,
     * then id), each taking the first free of: its PascalCase label, that plus its bracket
     * qualifier, that plus its id. {@code reserved} (the base class) is never given out.
     */
    static Map<String, String> assign(List<Named> concepts, String reserved) {
        List<Named> order = new ArrayList<>(concepts);
        order.sort(Comparator.comparingLong(Named::instances).reversed().thenComparing(n -> n.id().length())
                .thenComparing(Named::id));
        Set<String> taken = new HashSet<>(Set.of(reserved));
        Map<String, String> out = new HashMap<>();
        for (Named n : order) {
            String base = pascal(n.label());
            if (base.isEmpty()) base = n.id();
            String name = null;
            for (String candidate : List.of(base, base + qualifier(n.label()), base + n.id())) {
                if (taken.add(candidate)) {
                    name = candidate;
                    break;
                }
            }
            if (name == null) throw new BadInputException("cannot give " + n.id() + " a class name of its own: is the id used twice?");
            out.put(n.id(), name);
        }
        return out;
    }
}

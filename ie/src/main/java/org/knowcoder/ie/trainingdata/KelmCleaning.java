package org.knowcoder.ie.trainingdata;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cleaning rules of the paper's Appendix H for the KELM-style corpus: entities without a type
 * and entities typed "Wikimedia disambiguation page" are dropped, bracketed text is removed from
 * entity names and types, and of a relation's sub-properties (which make it an event) the roles
 * "of", "follows", "followed by", "point in time" and "country" are dropped.
 */
final class KelmCleaning {
    private KelmCleaning() {}

    static final String DISAMBIGUATION = "Wikimedia disambiguation page";
    /** Wikidata's id of the disambiguation page type, dropped like its label. */
    static final String DISAMBIGUATION_ID = "Q4167410";
    static final Set<String> DROPPED_ROLES = Set.of("of", "follows", "followed by", "point in time", "country");

    private static final Pattern BRACKETED = Pattern.compile("\\s*(\\([^)]*\\)|\\[[^]]*])");
    private static final Pattern SPACES = Pattern.compile("\\s{2,}");

    /** {@code Mercury (planet)} is {@code Mercury}; brackets anywhere go, and the spaces they leave. */
    static String stripBrackets(String text) {
        return SPACES.matcher(BRACKETED.matcher(text).replaceAll("")).replaceAll(" ").strip();
    }

    /** Whether an entity with these (cleaned) types is kept: it has one, and none is the disambiguation page. */
    static boolean keepEntity(List<String> types) {
        return !types.isEmpty() && !types.contains(DISAMBIGUATION) && !types.contains(DISAMBIGUATION_ID);
    }

    static boolean keepRole(String role) {
        return !DROPPED_ROLES.contains(role);
    }
}

package org.knowcoder.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Valid random libraries for property tests: taxonomies several levels deep in each kind, unions
 * in type hints, events with up to a dozen roles, class methods, and text made of the pieces that
 * are hard to write into Python (quotes, backslashes, the separators of example lists, line breaks).
 */
final class RandomSchemas {
    private static final String[] PIECES = {"a", "Foo", "bar baz", " ", ", ", ",", "\"", "'", "\\", "\\n", "\\\"", "(", ")",
            "), (", "\"\"\"", "\n", "\r", "\t", "é", "’", "# no comment", "Examples: ", "Description: ", "[", "]", "|", "日本"};
    private static final String[] ROLE_NAMES = {"agent", "place", "time", "from", "to", "victim", "attack_pattern",
            "number_of_victim", "origin", "destination", "artifact", "ärztin", "_hidden", "x1"};

    private final SplittableRandom random;

    private RandomSchemas(long seed) {
        random = new SplittableRandom(seed);
    }

    /** About {@code size} concepts per kind. */
    static List<Concept> library(long seed, int size) {
        return new RandomSchemas(seed).concepts(size);
    }

    private List<Concept> concepts(int size) {
        List<Concept> out = new ArrayList<>();
        List<String> entities = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String name = i % 7 == 3 ? "Ünit" + i : "Entity" + i;
            out.add(common(Concept.builder(Kind.ENTITY, name), entities).examples(texts(5)).build());
            entities.add(name);
        }
        List<String> relations = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String name = "Rel" + i;
            List<ExamplePair> pairs = new ArrayList<>();
            for (int k = random.nextInt(4); k > 0; k--) pairs.add(new ExamplePair(text(), text()));
            out.add(common(Concept.builder(Kind.RELATION, name), relations).pairExamples(pairs)
                    .headTypes(types(entities)).tailTypes(types(entities)).build());
            relations.add(name);
        }
        List<String> events = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String name = "Event" + i;
            List<Role> roles = new ArrayList<>();
            for (String r : ROLE_NAMES) {
                if (random.nextInt(3) > 0) roles.add(new Role(r, types(entities)));
            }
            out.add(common(Concept.builder(Kind.EVENT, name), events).examples(texts(6)).roles(roles)
                    .edSignature(random.nextBoolean() ? EdSignature.POSITIONAL : EdSignature.KEYWORD).build());
            events.add(name);
        }
        return out;
    }

    /** Parent (a few roots, the rest deep), description, class methods, ids and counts. */
    private Concept.Builder common(Concept.Builder b, List<String> earlier) {
        if (!earlier.isEmpty() && random.nextInt(6) > 0) {
            // mostly one of the latest concepts, which makes chains several levels deep
            b.parent(earlier.get(Math.max(0, earlier.size() - 1 - random.nextInt(Math.min(earlier.size(), 4)))));
        }
        b.description(random.nextInt(5) == 0 ? "" : text());
        if (random.nextInt(4) == 0) b.addRule(new PostRule.CutAt(List.of(" such as ", " as ", nonEmpty())));
        if (random.nextInt(4) == 0) b.addRule(new PostRule.AppendSuffix(random.nextBoolean() ? " star" : text()));
        if (random.nextInt(4) == 0) b.addRule(new PostRule.DropWords(List.of("he", "she", text().toLowerCase())));
        return b.ids(List.of("Q" + random.nextInt(1_000_000_000))).instances(random.nextInt(1000));
    }

    private List<String> types(List<String> entities) {
        List<String> out = new ArrayList<>();
        if (entities.isEmpty()) return out;
        for (int k = random.nextInt(4); k > 0; k--) {
            String t = entities.get(random.nextInt(entities.size()));
            if (!out.contains(t)) out.add(t);
        }
        return out;
    }

    private List<String> texts(int max) {
        List<String> out = new ArrayList<>();
        for (int k = random.nextInt(max + 1); k > 0; k--) out.add(text());
        return out;
    }

    private String nonEmpty() {
        String t = text();
        return t.isEmpty() ? "x" : t;
    }

    private String text() {
        StringBuilder sb = new StringBuilder();
        for (int k = random.nextInt(6); k > 0; k--) sb.append(PIECES[random.nextInt(PIECES.length)]);
        return sb.toString();
    }
}

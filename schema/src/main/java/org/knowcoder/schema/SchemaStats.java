package org.knowcoder.schema;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts per kind in the manner of the paper's Table 16: types, with and without a description,
 * with examples, with type constraints (relations, events), top-level types and the deepest level.
 */
public final class SchemaStats {
    private SchemaStats() {}

    /** {@code {"entity": {"types": ..., ...}, "relation": {...}, "event": {...}}}, keys in a fixed order. */
    public static Map<String, Map<String, Long>> of(SchemaLibrary library) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            Taxonomy t = library.taxonomy(kind);
            long described = 0, withExamples = 0, constrained = 0, maxDepth = 0;
            for (Concept c : t.concepts()) {
                if (!c.description().isEmpty()) described++;
                if (!c.examples().isEmpty() || !c.pairExamples().isEmpty()) withExamples++;
                if (!c.headTypes().isEmpty() || !c.tailTypes().isEmpty() || c.roles().stream().anyMatch(r -> !r.types().isEmpty())) {
                    constrained++;
                }
                maxDepth = Math.max(maxDepth, t.depth(c.name()));
            }
            Map<String, Long> k = new LinkedHashMap<>();
            k.put("types", (long) t.size());
            k.put("withDescription", described);
            k.put("withoutDescription", t.size() - described);
            k.put("withExamples", withExamples);
            if (kind != Kind.ENTITY) k.put("withTypeConstraints", constrained);
            k.put("topLevel", (long) t.children(kind.baseClass()).size());
            k.put("maxDepth", maxDepth);
            out.put(kind.jsonName(), k);
        }
        return out;
    }
}

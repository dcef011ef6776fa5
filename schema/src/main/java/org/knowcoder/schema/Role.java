package org.knowcoder.schema;

import java.util.List;
import java.util.Objects;

/**
 * An event argument role and the entity types its fillers may have; no types means any entity
 * (rendered {@code List[ Entity ]}).
 */
public record Role(String name, List<String> types) {
    public Role {
        Objects.requireNonNull(name, "name");
        types = Concept.typeList(types);
    }

    public Role(String name) {
        this(name, List.of());
    }
}

package org.knowcoder.ie.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.ExamplePair;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's types with what the prompt says about them, as JSON: an array (or {@code {"types": [...]}})
 * of objects with {@code name}, {@code kind} (entity, the default; relation; event), and optionally
 * {@code description}, {@code examples} (mentions; for a relation [head, tail] pairs), {@code parent},
 * a relation's {@code head} and {@code tail} entity types, and an event's {@code roles} (names, or
 * objects with {@code name} and {@code types}). JSON only: YAML would need a dependency the project
 * does not take.
 */
final class TypesFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TypesFile() {}

    static List<Concept> read(Path file) throws IOException {
        String text = InputFiles.readUtf8(file, "a JSON types file");
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not JSON: " + e.getOriginalMessage());
        }
        return parse(root, file.toString());
    }

    /** The types of a parsed types file (an array or {@code {"types": [...]}}); {@code source} names it in errors. */
    static List<Concept> parse(JsonNode root, String source) {
        JsonNode types = root != null && root.isObject() ? root.get("types") : root;
        if (types == null || !types.isArray() || types.isEmpty()) {
            throw new BadInputException(source + ": expected a non-empty array of types ([{\"name\": \"Person\", \"kind\": \"entity\"}, ...])");
        }
        List<Concept> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            JsonNode t = types.get(i);
            try {
                out.add(concept(t));
            } catch (IllegalArgumentException e) { // bad input from the concept's checks, named here by file and entry
                throw new BadInputException(source + ": type " + i + " (" + t.path("name").asText("?") + "): " + e.getMessage());
            }
        }
        return out;
    }

    private static Concept concept(JsonNode t) {
        if (!t.isObject()) throw new BadInputException("expected an object with a name");
        String name = t.path("name").asText("");
        if (name.isEmpty()) throw new BadInputException("missing \"name\"");
        Kind kind = Kind.parse(t.path("kind").asText("entity"));
        Concept.Builder b = Concept.builder(kind, name).parent(t.hasNonNull("parent") ? t.get("parent").asText() : null)
                .description(t.path("description").asText(""))
                .headTypes(strings(t.path("head"))).tailTypes(strings(t.path("tail")));
        if (kind == Kind.RELATION) {
            List<ExamplePair> pairs = new ArrayList<>();
            for (JsonNode p : t.path("examples")) {
                if (!p.isArray() || p.size() != 2) throw new BadInputException("a relation example is a [head, tail] pair");
                pairs.add(new ExamplePair(p.get(0).asText(), p.get(1).asText()));
            }
            b.pairExamples(pairs);
        } else {
            b.examples(strings(t.path("examples")));
        }
        List<Role> roles = new ArrayList<>();
        for (JsonNode r : t.path("roles")) roles.add(r.isTextual() ? new Role(r.asText()) : new Role(r.path("name").asText(), strings(r.path("types"))));
        return b.roles(roles).build();
    }

    /** A string or an array of strings as a list; absent: empty. */
    private static List<String> strings(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return List.of();
        if (n.isTextual()) return List.of(n.asText());
        List<String> out = new ArrayList<>();
        for (JsonNode s : n) out.add(s.asText());
        return out;
    }
}

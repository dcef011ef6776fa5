package org.knowcoder.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.io.AtomicOutput;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The library on disk: {@code {"format": "knowcoder-schema", "version": 1, "concepts": [...]}}
 * with one concept per line, sorted by kind then name, keys in a fixed order and empty fields left
 * out, so that equal libraries are equal files. A directory holds one such file per kind
 * ({@code entities.json}, {@code relations.json}, {@code events.json}). Files are written atomically
 * ({@link AtomicOutput}), so a reader never sees half a library.
 */
public final class SchemaJson {
    static final String FORMAT = "knowcoder-schema";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Kind, String> FILES = Map.of(Kind.ENTITY, "entities.json", Kind.RELATION, "relations.json",
            Kind.EVENT, "events.json");
    private static final Comparator<Concept> ORDER = Comparator.comparing(Concept::kind).thenComparing(Concept::name);

    private SchemaJson() {}

    /** Reads a library file, or a directory of per-kind files, and validates it. */
    public static SchemaLibrary read(Path path) throws IOException {
        List<Concept> concepts = new ArrayList<>();
        if (Files.isDirectory(path)) {
            boolean any = false;
            for (Kind k : Kind.values()) {
                Path file = path.resolve(FILES.get(k));
                if (Files.exists(file)) {
                    concepts.addAll(readConcepts(file));
                    any = true;
                }
            }
            // a directory without any is the wrong directory, not an empty library
            if (!any) throw new BadInputException(path + ": not a library directory (expected entities.json, relations.json or events.json in it)");
        } else {
            concepts.addAll(readConcepts(path));
        }
        try {
            return SchemaLibrary.of(concepts);
        } catch (InvalidSchemaException e) {
            throw new BadInputException(path + ": " + e.getMessage(), e);
        }
    }

    /** The concepts of one file, unvalidated; a malformed file is an error naming it and the concept. */
    public static List<Concept> readConcepts(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || !root.path("concepts").isArray()) {
            throw new BadInputException(file + ": not a schema library (expected {\"format\": \"" + FORMAT + "\", \"concepts\": [...]})");
        }
        if (root.path("version").asInt() != VERSION) {
            throw new BadInputException(file + ": library version " + root.path("version") + ", this reads " + VERSION);
        }
        List<Concept> out = new ArrayList<>(root.get("concepts").size());
        int index = 0;
        for (JsonNode node : root.get("concepts")) {
            try {
                out.add(concept(node));
            } catch (RuntimeException e) {
                throw new BadInputException(file + ": concept " + index + " (" + node.path("name").asText("?") + "): "
                        + e.getMessage());
            }
            index++;
        }
        return out;
    }

    /** Writes the library to one file. */
    public static void write(SchemaLibrary library, Path file) throws IOException {
        writeAtomically(file, library.concepts());
    }

    /** Writes one file per kind into a directory (created if needed). */
    public static void writeSplit(SchemaLibrary library, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Kind k : Kind.values()) {
            writeAtomically(dir.resolve(FILES.get(k)), library.taxonomy(k).concepts());
        }
    }

    private static void writeAtomically(Path file, List<Concept> concepts) throws IOException {
        try (AtomicOutput out = new AtomicOutput(file)) {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write("{\"format\": \"" + FORMAT + "\", \"version\": " + VERSION + ", \"concepts\": [");
            List<Concept> sorted = concepts.stream().sorted(ORDER).toList();
            for (int i = 0; i < sorted.size(); i++) {
                w.write(i == 0 ? "\n" : ",\n");
                w.write(JSON.writeValueAsString(node(sorted.get(i))));
            }
            w.write("\n]}\n");
            w.flush();
            out.commit();
        }
    }

    static ObjectNode node(Concept c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", c.kind().jsonName());
        n.put("name", c.name());
        if (c.parent() != null) n.put("parent", c.parent());
        strings(n, "ids", c.ids());
        if (c.instances() != 0) n.put("instances", c.instances());
        if (!c.description().isEmpty()) n.put("description", c.description());
        strings(n, "examples", c.examples());
        if (!c.pairExamples().isEmpty()) {
            ArrayNode pairs = n.putArray("pairExamples");
            for (ExamplePair p : c.pairExamples()) pairs.addArray().add(p.head()).add(p.tail());
        }
        strings(n, "head", c.headTypes());
        strings(n, "tail", c.tailTypes());
        if (!c.roles().isEmpty()) {
            ArrayNode roles = n.putArray("roles");
            for (Role r : c.roles()) {
                ObjectNode role = roles.addObject().put("name", r.name());
                strings(role, "types", r.types());
            }
        }
        if (c.edSignature() != EdSignature.KEYWORD) n.put("edSignature", "positional");
        if (!c.rules().isEmpty()) {
            ArrayNode methods = n.putArray("methods");
            for (PostRule rule : c.rules()) methods.add(rule(rule));
        }
        return n;
    }

    private static ObjectNode rule(PostRule rule) {
        ObjectNode n = JSON.createObjectNode().put("method", rule.method());
        switch (rule) {
            case PostRule.CutAt cut -> strings(n, "separators", cut.separators());
            case PostRule.AppendSuffix append -> n.put("suffix", append.suffix());
            case PostRule.DropWords drop -> strings(n, "words", drop.words());
        }
        return n;
    }

    private static void strings(ObjectNode n, String key, List<String> values) {
        if (values.isEmpty()) return;
        ArrayNode a = n.putArray(key);
        values.forEach(a::add);
    }

    static Concept concept(JsonNode n) {
        Concept.Builder b = Concept.builder(Kind.parse(text(n, "kind")), text(n, "name"))
                .parent(n.has("parent") ? text(n, "parent") : null)
                .ids(strings(n, "ids"))
                .instances(n.path("instances").asLong())
                .description(n.path("description").asText(""))
                .examples(strings(n, "examples"))
                .pairExamples(list(n, "pairExamples", p -> new ExamplePair(p.path(0).asText(), p.path(1).asText())))
                .headTypes(strings(n, "head"))
                .tailTypes(strings(n, "tail"))
                .roles(list(n, "roles", r -> new Role(text(r, "name"), strings(r, "types"))))
                .rules(list(n, "methods", SchemaJson::rule));
        if (n.has("edSignature")) {
            String s = text(n, "edSignature");
            if (!s.equals("positional") && !s.equals("keyword")) throw new BadInputException("edSignature must be positional or keyword");
            b.edSignature(s.equals("positional") ? EdSignature.POSITIONAL : EdSignature.KEYWORD);
        }
        return b.build();
    }

    private static PostRule rule(JsonNode n) {
        return switch (text(n, "method")) {
            case "cut_at" -> new PostRule.CutAt(strings(n, "separators"));
            case "append_suffix" -> new PostRule.AppendSuffix(text(n, "suffix"));
            case "drop_words" -> new PostRule.DropWords(strings(n, "words"));
            default -> throw new BadInputException("unknown method " + text(n, "method")
                    + " (expected cut_at, append_suffix or drop_words)");
        };
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) throw new BadInputException("\"" + key + "\" must be a string");
        return v.asText();
    }

    private static List<String> strings(JsonNode n, String key) {
        return list(n, key, v -> {
            if (!v.isTextual()) throw new BadInputException("\"" + key + "\" must hold strings");
            return v.asText();
        });
    }

    private static <T> List<T> list(JsonNode n, String key, Function<JsonNode, T> each) {
        JsonNode a = n.get(key);
        if (a == null) return List.of();
        if (!a.isArray()) throw new BadInputException("\"" + key + "\" must be an array");
        List<T> out = new ArrayList<>(a.size());
        for (JsonNode v : a) out.add(each.apply(v));
        return out;
    }
}

package org.knowcoder.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;
import org.knowcoder.io.InputFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Imports class definitions from files: Python ({@code Entities.py}, a prompt's classes) or JSON
 * objects of class name to code ({@code *_class_defs.json}). The same class in several files, as
 * an event in both the ED and the EAE definitions, is one concept: each file fills in what the
 * others leave out; a real disagreement is an error naming the class and the field.
 */
public final class SchemaImport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaImport() {}

    /** The concepts of all files, merged, in order of first appearance. */
    public static List<Concept> read(List<Path> files) throws IOException {
        List<Concept> all = new ArrayList<>();
        for (Path f : files) all.addAll(readFile(f));
        return merge(all);
    }

    static List<Concept> readFile(Path file) throws IOException {
        String text = InputFiles.readUtf8(file, "Python class definitions or a JSON object of class name to code");
        if (!file.getFileName().toString().endsWith(".json")) return PythonImporter.parse(text, file.toString());
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new BadInputException(file + ": expected an object of class name to code");
        List<Concept> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!e.getValue().isTextual()) throw new BadInputException(file + ": " + e.getKey() + ": code must be a string");
            out.addAll(PythonImporter.parse(e.getValue().asText(), file + " [" + e.getKey() + "]"));
        }
        return out;
    }

    /** One concept per kind and name: definitions of the same class are combined field by field. */
    public static List<Concept> merge(List<Concept> concepts) {
        Map<String, Concept> merged = new LinkedHashMap<>();
        for (Concept c : concepts) merged.merge(c.kind() + " " + c.name(), c, SchemaImport::combine);
        return List.copyOf(merged.values());
    }

    private static Concept combine(Concept a, Concept b) {
        if (!Objects.equals(a.parent(), b.parent())) {
            throw new BadInputException(a.label() + " is defined twice with different parents: "
                    + a.pythonParent() + " and " + b.pythonParent());
        }
        return a.toBuilder()
                .description(either(a, b, "description", Concept::description, String::isEmpty))
                .examples(either(a, b, "examples", Concept::examples, List::isEmpty))
                .pairExamples(either(a, b, "examples", Concept::pairExamples, List::isEmpty))
                .headTypes(either(a, b, "head types", Concept::headTypes, List::isEmpty))
                .tailTypes(either(a, b, "tail types", Concept::tailTypes, List::isEmpty))
                .roles(roles(a, b))
                .edSignature(a.edSignature() == EdSignature.POSITIONAL ? a.edSignature() : b.edSignature())
                .rules(either(a, b, "class methods", Concept::rules, List::isEmpty))
                .ids(List.copyOf(union(a.ids(), b.ids())))
                .instances(Math.max(a.instances(), b.instances()))
                .build();
    }

    /** Role names must agree; types come from whichever definition shows them (EAE does, ED does not). */
    private static List<Role> roles(Concept a, Concept b) {
        if (a.roles().isEmpty()) return b.roles();
        if (b.roles().isEmpty()) return a.roles();
        if (!a.roles().stream().map(Role::name).toList().equals(b.roles().stream().map(Role::name).toList())) {
            throw new BadInputException(a.label() + " is defined twice with different roles");
        }
        List<Role> out = new ArrayList<>();
        for (int i = 0; i < a.roles().size(); i++) {
            Role ra = a.roles().get(i), rb = b.roles().get(i);
            out.add(new Role(ra.name(), either(a, b, "types of role " + ra.name(), x -> x == a ? ra.types() : rb.types(), List::isEmpty)));
        }
        return out;
    }

    private static <T> T either(Concept a, Concept b, String field, Function<Concept, T> get, Predicate<T> empty) {
        T va = get.apply(a), vb = get.apply(b);
        if (empty.test(va)) return vb;
        if (empty.test(vb) || va.equals(vb)) return va;
        throw new BadInputException(a.label() + " is defined twice with different " + field);
    }

    private static Set<String> union(List<String> a, List<String> b) {
        Set<String> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return s;
    }

    /**
     * The concepts plus a bare concept (under the base class) for every parent or type they name
     * but do not define: class definitions cut from a larger library, as KnowCoder's evaluation
     * files, then form a valid library. Stubs follow the concepts, by kind and name.
     */
    public static List<Concept> withStubs(List<Concept> concepts) {
        Map<Kind, Set<String>> defined = new EnumMap<>(Kind.class);
        Map<Kind, Set<String>> missing = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            defined.put(k, new HashSet<>());
            missing.put(k, new TreeSet<>());
        }
        for (Concept c : concepts) defined.get(c.kind()).add(c.name());
        List<String> entityTypes = new ArrayList<>();
        for (Concept c : concepts) {
            if (c.parent() != null && !defined.get(c.kind()).contains(c.parent())) missing.get(c.kind()).add(c.parent());
            entityTypes.addAll(c.headTypes());
            entityTypes.addAll(c.tailTypes());
            c.roles().forEach(r -> entityTypes.addAll(r.types()));
        }
        for (String t : entityTypes) {
            if (!t.equals(Kind.ENTITY.baseClass()) && !defined.get(Kind.ENTITY).contains(t)) missing.get(Kind.ENTITY).add(t);
        }
        List<Concept> out = new ArrayList<>(concepts);
        missing.forEach((k, names) -> names.forEach(n -> out.add(Concept.builder(k, n).build())));
        return out;
    }
}

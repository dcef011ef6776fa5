package org.knowcoder.ie.text;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.InvalidSchemaException;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaImport;
import org.knowcoder.schema.SchemaJson;
import org.knowcoder.schema.SchemaLibrary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The types a user extracts, per kind, and the library that defines them: given as bare names,
 * a types file ({@link TypesFile}), names picked from a schema library, or Python class
 * definitions. Relation and event types bring the entity types their type hints name, so those
 * are extracted (and defined in the prompts) too.
 */
public record TypeSet(SchemaLibrary library, Map<Kind, List<String>> selected) {
    public TypeSet {
        Map<Kind, List<String>> copy = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) copy.put(k, List.copyOf(selected.getOrDefault(k, List.of())));
        selected = Map.copyOf(copy);
        if (selected.values().stream().allMatch(List::isEmpty)) throw new BadInputException("no types to extract; name at least one");
    }

    /** The chosen types of a kind, in the order given. */
    public List<String> of(Kind kind) {
        return selected.get(kind);
    }

    /** Entity types by bare name ({@code --types Person,Organization}): classes with no description, under Entity. */
    public static TypeSet ofNames(List<String> names) {
        List<String> clean = cleaned(names, "--types");
        List<Concept> concepts = clean.stream().map(n -> Concept.builder(Kind.ENTITY, n).build()).toList();
        return of(library(concepts, "--types"), Map.of(Kind.ENTITY, clean));
    }

    /** The named types of a library (a file or directory of {@code schema import}); an unknown name is an error suggesting the closest. */
    public static TypeSet fromLibrary(Path libraryFile, List<String> names) throws IOException {
        SchemaLibrary library = SchemaJson.read(libraryFile);
        return pick(library, cleaned(names, "--types"), libraryFile.toString());
    }

    /**
     * Python class definitions ({@code Entities.py}) or KnowCoder's {@code *_class_defs.json}: the
     * named classes, or all the files define when {@code names} is empty. Classes they name but do
     * not define (parents, type hints) are defined bare.
     */
    public static TypeSet fromPython(List<Path> files, List<String> names) throws IOException {
        List<Concept> defined = SchemaImport.read(files);
        SchemaLibrary library = library(SchemaImport.withStubs(defined), files.toString());
        if (!names.isEmpty()) return pick(library, cleaned(names, "--types"), files.toString());
        Map<Kind, List<String>> all = new EnumMap<>(Kind.class);
        for (Concept c : defined) all.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c.name());
        return of(library, all);
    }

    /** A types file's types (see {@link TypesFile}), all of them. */
    public static TypeSet fromTypesFile(Path file) throws IOException {
        return ofConcepts(TypesFile.read(file), file.toString());
    }

    /** The types of a types file's JSON, already parsed (a server's request body); {@code source} names it in errors. */
    public static TypeSet fromTypesJson(JsonNode types, String source) {
        return ofConcepts(TypesFile.parse(types, source), source);
    }

    private static TypeSet ofConcepts(List<Concept> concepts, String source) {
        SchemaLibrary library = library(SchemaImport.withStubs(concepts), source);
        Map<Kind, List<String>> all = new EnumMap<>(Kind.class);
        for (Concept c : concepts) all.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c.name());
        return of(library, all);
    }

    /** By extension: a {@code .py} file or KnowCoder's {@code *_class_defs.json} is class definitions; another path a library. */
    public static TypeSet fromSchema(Path schema, List<String> names) throws IOException {
        String name = schema.getFileName().toString();
        boolean python = name.endsWith(".py") || name.endsWith("_class_defs.json");
        if (!python && names.isEmpty()) {
            throw new BadInputException("--schema " + schema + " is a library: name the types to extract from it with --types");
        }
        return python ? fromPython(List.of(schema), names) : fromLibrary(schema, names);
    }

    /** Each name found in the library (entities first, then relations, then events, as the kinds are looked up). */
    private static TypeSet pick(SchemaLibrary library, List<String> names, String source) {
        Map<Kind, List<String>> chosen = new EnumMap<>(Kind.class);
        for (String n : names) {
            Kind kind = Arrays.stream(Kind.values()).filter(k -> library.get(k, n).isPresent()).findFirst()
                    .orElseThrow(() -> new BadInputException("unknown type " + n + " in " + source + suggestion(library, n)));
            chosen.computeIfAbsent(kind, k -> new ArrayList<>()).add(n);
        }
        return of(library, chosen);
    }

    /** The selection plus the entity types its relations' and events' type hints name. */
    private static TypeSet of(SchemaLibrary library, Map<Kind, List<String>> chosen) {
        Set<String> entities = new LinkedHashSet<>(chosen.getOrDefault(Kind.ENTITY, List.of()));
        for (String r : chosen.getOrDefault(Kind.RELATION, List.of())) {
            library.get(Kind.RELATION, r).ifPresent(c -> {
                entities.addAll(c.headTypes());
                entities.addAll(c.tailTypes());
            });
        }
        for (String e : chosen.getOrDefault(Kind.EVENT, List.of())) {
            library.get(Kind.EVENT, e).ifPresent(c -> c.roles().stream().map(Role::types).forEach(entities::addAll));
        }
        Map<Kind, List<String>> out = new EnumMap<>(chosen);
        out.put(Kind.ENTITY, List.copyOf(entities));
        return new TypeSet(library, out);
    }

    /** "; did you mean X?" for the library's name nearest to {@code name} by edit distance (ignoring case), or "" when none is near. */
    static String suggestion(SchemaLibrary library, String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Concept c : library.concepts()) {
            int d = EditDistance.between(name.toLowerCase(Locale.ROOT), c.name().toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c.name();
                bestDistance = d;
            }
        }
        // a suggestion that shares less than half the name is noise
        return best != null && bestDistance <= Math.max(2, name.length() / 2) ? "; did you mean " + best + "?" : "";
    }

    private static List<String> cleaned(List<String> names, String option) {
        List<String> out = names.stream().map(String::strip).filter(n -> !n.isEmpty()).distinct().toList();
        if (out.isEmpty()) throw new BadInputException(option + " names no type; give at least one (--types Person,Organization)");
        return out;
    }

    private static SchemaLibrary library(List<Concept> concepts, String source) {
        try {
            return SchemaLibrary.of(concepts);
        } catch (InvalidSchemaException e) {
            throw new BadInputException(source + ": " + e.getMessage(), e);
        }
    }
}

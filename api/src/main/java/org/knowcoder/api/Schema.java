package org.knowcoder.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.ie.text.TaskPlan;
import org.knowcoder.ie.text.TypeSet;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The types to extract and the tasks to run on them. Entity types give named entities (NER),
 * relation types relations (RE), event types events with their triggers (ED) and arguments (EAE,
 * on the triggers ED found); relation and event types bring the entity types their type hints name.
 * Immutable; build one and use it for many texts.
 */
public final class Schema {
    final TypeSet types;
    final Set<Task> tasks;

    private Schema(TypeSet types, Set<Task> tasks) {
        this.types = types;
        this.tasks = Set.copyOf(tasks);
    }

    /** Entity types by name, without descriptions: {@code Schema.of("Person", "Organization")}. */
    public static Schema of(String... entityTypes) {
        return new Schema(TypeSet.ofNames(List.of(entityTypes)), Set.of());
    }

    /**
     * The types extraction uses with the embedded model when given none: those of its
     * {@code default-types.txt} (one class name a line), from its schema library.
     */
    public static Schema embeddedDefaults() throws IOException {
        Path dir = EmbeddedModel.dir();
        List<String> types = Files.readAllLines(dir.resolve("default-types.txt")).stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
        return from(dir.resolve("schema.json"), types.toArray(String[]::new));
    }

    /**
     * Types from a schema library ({@code schema import}'s JSON file or directory), or from Python
     * class definitions ({@code Entities.py}, KnowCoder's {@code *_class_defs.json}): the named
     * classes, or (class definitions only) all of them when none is named. An unknown name is a
     * {@link BadInputException} that suggests the closest one.
     */
    public static Schema from(Path libraryOrPython, String... types) throws IOException {
        return new Schema(TypeSet.fromSchema(libraryOrPython, List.of(types)), Set.of());
    }

    /** All classes of several Python class-definition files (as {@code Entities.py} and {@code Relations.py}), or the named ones. */
    public static Schema fromPython(List<Path> files, String... types) throws IOException {
        return new Schema(TypeSet.fromPython(files, List.of(types)), Set.of());
    }

    /**
     * The types of a JSON types file: an array of {@code {"name", "kind", "description", "examples",
     * "parent", "head", "tail", "roles"}} ({@code kind}: entity, the default, relation or event).
     */
    public static Schema fromTypesFile(Path file) throws IOException {
        return new Schema(TypeSet.fromTypesFile(file), Set.of());
    }

    /** The types of a types file's JSON, already parsed (as a server gets them in a request); {@code source} names it in errors. */
    public static Schema fromTypesJson(JsonNode types, String source) {
        return new Schema(TypeSet.fromTypesJson(types, source), Set.of());
    }

    /**
     * This schema running only the named tasks: ner, re, ed, eae, or all (every task its types allow,
     * the default). EAE runs ED first, for the triggers.
     */
    public Schema tasks(String... names) {
        Set<Task> chosen = EnumSet.noneOf(Task.class);
        for (String n : names) {
            if (n.equalsIgnoreCase("all")) return new Schema(types, Set.of());
            try {
                chosen.add(Task.parse(n));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("unknown task '" + n + "' (expected ner, re, ed, eae or all)");
            }
        }
        TaskPlan.tasks(types, chosen); // a task the types cannot run is refused here, before a model is loaded
        return new Schema(types, chosen);
    }

    /** The types by kind ("entity", "relation", "event"), in the order given. */
    public Map<String, List<String>> types() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Kind k : Kind.values()) if (!types.of(k).isEmpty()) out.put(k.jsonName(), types.of(k));
        return out;
    }

    @Override
    public String toString() {
        return "Schema" + types() + (tasks.isEmpty() ? "" : " tasks " + tasks.stream().map(t -> t.name().toLowerCase(Locale.ROOT)).toList());
    }
}

package org.knowcoder.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.api.Schema;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The types to extract, as they travel to the executors: a {@link Schema} is not serializable, so
 * what builds it goes instead, and each executor builds it once ({@link ExecutorModels}). A types
 * file is read on the driver and shipped as its JSON, so executors need not see it; a schema
 * library or Python class definitions are read where they lie, like the model.
 *
 * @param names     class names (entity types alone without {@code library}; any kind with it)
 * @param typesJson a types file's JSON, or null
 * @param typesFile where that JSON came from, for errors
 * @param library   a schema library or Python class-definition file, or null
 * @param tasks     ner, re, ed, eae or all; empty: every task the types allow
 */
public record TypesSpec(List<String> names, String typesJson, String typesFile, String library, List<String> tasks) implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public TypesSpec {
        names = List.copyOf(names);
        tasks = List.copyOf(tasks);
    }

    /** Entity types by name, as {@code --types Person,Organization}. */
    public static TypesSpec names(String... names) {
        return new TypesSpec(List.of(names), null, null, null, List.of()).checked();
    }

    /** A JSON types file, as {@code --types-file}: read here, on the driver. */
    public static TypesSpec typesFile(Path file) throws IOException {
        return new TypesSpec(List.of(), Files.readString(file), file.toString(), null, List.of()).checked();
    }

    /** Classes of a schema library or of Python class definitions, as {@code --schema LIBRARY --types A,B}. */
    public static TypesSpec library(Path libraryOrPython, String... names) {
        return new TypesSpec(List.of(names), null, null, libraryOrPython.toString(), List.of()).checked();
    }

    /** These types running only the named tasks, as {@code --task}. */
    public TypesSpec tasks(String... names) {
        return new TypesSpec(this.names, typesJson, typesFile, library, List.of(names)).checked();
    }

    /** The schema these describe; a bad type or task is a {@link org.knowcoder.io.BadInputException} naming it. */
    public Schema schema() {
        try {
            Schema s = typesJson != null ? Schema.fromTypesJson(json(), typesFile)
                    : library != null ? Schema.from(Path.of(library), names.toArray(String[]::new))
                    : Schema.of(names.toArray(String[]::new));
            return tasks.isEmpty() ? s : s.tasks(tasks.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode json() {
        try {
            return JSON.readTree(typesJson);
        } catch (JsonProcessingException e) {
            throw new BadInputException(typesFile + ": not JSON: " + e.getOriginalMessage());
        }
    }

    /** This spec after building its schema once: a bad type is reported on the driver, before any task starts. */
    public TypesSpec checked() {
        schema();
        return this;
    }
}

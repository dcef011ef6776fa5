package org.knowcoder.ie.trainingdata;

import org.knowcoder.ie.data.DatasetLabels;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.ClassNames;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The library class a dataset label stands for. Tried in order: the dataset's label mapping
 * ({@code ie/labels/<dataset>.tsv}, the same the scorer maps back with), the label as a class name,
 * as a source id (Wikidata QID or property), and as a Wikidata label turned into a class name
 * ({@code place of birth} is {@code PlaceOfBirth}). Thread-safe.
 */
final class ClassResolver {
    private final SchemaLibrary library;
    private final Map<String, Map<Kind, Map<String, String>>> datasetLabels = new ConcurrentHashMap<>();

    ClassResolver(SchemaLibrary library) {
        this.library = library;
    }

    SchemaLibrary library() {
        return library;
    }

    /** The class of {@code label}; a BadInputException naming the label when the library has none. */
    Concept resolve(Kind kind, String dataset, String label) {
        if (label == null || label.isEmpty()) throw new BadInputException(kind.jsonName() + " without a type");
        String mapped = labelsOf(dataset).getOrDefault(kind, Map.of()).get(label);
        Optional<Concept> c = mapped == null ? Optional.empty() : library.get(kind, mapped);
        if (c.isEmpty()) c = library.get(kind, label);
        if (c.isEmpty()) c = library.byId(label).filter(x -> x.kind() == kind);
        if (c.isEmpty()) c = library.get(kind, ClassNames.pascal(label));
        return c.orElseThrow(() -> new BadInputException("unknown " + kind.jsonName() + " type '" + label + "'"));
    }

    /** A dataset's label-to-class maps by kind; empty for a dataset without a mapping file. */
    private Map<Kind, Map<String, String>> labelsOf(String dataset) {
        if (dataset == null || dataset.isEmpty()) return Map.of();
        return datasetLabels.computeIfAbsent(dataset, d -> {
            Map<Task, LabelMap> maps;
            try {
                maps = DatasetLabels.load(d.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException none) {
                return Map.of();
            }
            Map<Kind, Map<String, String>> out = new HashMap<>();
            invert(maps.get(Task.NER), Kind.ENTITY, out);
            invert(maps.get(Task.RE), Kind.RELATION, out);
            invert(maps.get(Task.ED), Kind.EVENT, out);
            return out;
        });
    }

    private static void invert(LabelMap map, Kind kind, Map<Kind, Map<String, String>> out) {
        if (map == null) return;
        Map<String, String> labelToClass = new HashMap<>();
        map.classToLabel().forEach((cls, label) -> labelToClass.put(label, cls));
        out.put(kind, labelToClass);
    }
}

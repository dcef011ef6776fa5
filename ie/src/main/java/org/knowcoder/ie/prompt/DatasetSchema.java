package org.knowcoder.ie.prompt;

import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.PythonRenderer;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Style;
import org.knowcoder.schema.Task;
import org.knowcoder.schema.Taxonomy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The classes one dataset's prompts define for a task: the classes its labels map to, rendered in
 * the released evaluation form from a schema library, their ancestors' names for superclass
 * induction, and (RE) the entity types their type hints import. Without a library each class is
 * a bare subclass of the task's base class.
 *
 * <p>A class the library lacks is defined bare too, and listed in {@code undefined} for a warning,
 * rather than refused: the label maps are ours and name classes that KnowCoder's released class
 * definitions lack (conll2003's MiscellaneousEntity), so refusing would make the library imported
 * from them unusable on those datasets; and a bare class is what the prompt holds without a
 * library, in the form the released definitions give their own classes.
 *
 * @param concepts the classes' definitions, in the order of {@code classes} (bare ones for those the library lacks):
 *                 their signatures (relation heads and tails, event roles) shape constrained answers. A relation's
 *                 head and tail types also list the library's subclasses of its hinted types, which the library's
 *                 own check ({@link SchemaLibrary#allows}) accepts too: the prompt shows the hints as written
 */
public record DatasetSchema(Task task, List<String> classes, String classCode, List<String> entityImports, List<String> undefined,
                            List<Concept> concepts) {

    public static DatasetSchema of(Task task, LabelMap labels, SchemaLibrary library) {
        List<String> classes = List.copyOf(new TreeSet<>(labels.classToLabel().keySet()));
        Kind kind = task.kind();
        List<Concept> concepts = new ArrayList<>();
        List<String> undefined = new ArrayList<>();
        for (String name : classes) {
            Concept c = library == null ? null : library.get(kind, name).orElse(null);
            if (library != null && c == null) undefined.add(name);
            concepts.add(c != null ? c : Concept.builder(kind, name).build());
        }
        TreeSet<String> imports = new TreeSet<>();
        if (task == Task.RE) {
            for (Concept c : concepts) {
                imports.addAll(c.headTypes());
                imports.addAll(c.tailTypes());
            }
        }
        List<Concept> signatures = task == Task.RE && library != null
                ? concepts.stream().map(c -> withSubclassArguments(c, library.entities())).toList() : concepts;
        return new DatasetSchema(task, classes, classCode(concepts, task), List.copyOf(imports), List.copyOf(undefined), List.copyOf(signatures));
    }

    private static Concept withSubclassArguments(Concept relation, Taxonomy entities) {
        return relation.toBuilder().headTypes(withSubclasses(relation.headTypes(), entities))
                .tailTypes(withSubclasses(relation.tailTypes(), entities)).build();
    }

    /** The types, then their subclasses in the taxonomy, each once. */
    private static List<String> withSubclasses(List<String> types, Taxonomy entities) {
        LinkedHashSet<String> out = new LinkedHashSet<>(types);
        for (String t : types) out.addAll(entities.descendants(t));
        return List.copyOf(out);
    }

    /**
     * The base classes and the classes, blank lines between: the released evaluation's templates
     * define Entity before Relation (RE) and before Event (EAE), since type hints name entities.
     */
    private static String classCode(List<Concept> concepts, Task task) {
        List<String> parts = new ArrayList<>();
        if (task == Task.RE || task == Task.EAE) {
            parts.addAll(PythonRenderer.baseClasses(Task.NER, Style.EVAL));
        }
        parts.addAll(PythonRenderer.baseClasses(task, Style.EVAL));
        for (Concept c : concepts) parts.add(PythonRenderer.render(c, task, Style.EVAL));
        return String.join("\n\n", parts);
    }
}

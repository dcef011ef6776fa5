package org.knowcoder.ie.build;

import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.PythonRenderer;
import org.knowcoder.schema.Style;
import org.knowcoder.schema.Task;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * The schema-following query of KnowCoder's training data (DESIGN.md "KnowCoder prompt"): the
 * task's base classes and the chosen classes in docstring form, the instruction, the sentence.
 * The training data writes the instruction with a lower-case "some", as reproduced here.
 */
final class FollowingPrompt {
    private FollowingPrompt() {}

    /**
     * The query for these classes, in this order. {@code dataset}, when not null, is named in the
     * instruction (refinement data): " from DATASET" before the period that ends the request.
     * {@code confirmedTriggers} are EAE's "x" is the trigger of event type "Y" statements.
     */
    static String query(Task task, List<Concept> classes, String sentence, String dataset, List<String> confirmedTriggers) {
        StringBuilder sb = new StringBuilder(4096);
        List<String> hinted = hintedEntityTypes(task, classes);
        if (!hinted.isEmpty()) sb.append(PyCode.imports("Entities", hinted)).append("\n\n");
        sb.append(PythonRenderer.render(classes, task, Style.FOLLOWING)).append("\n\n\"\"\"\n")
                .append("This is an object-oriented programming task: ").append(request(task))
                .append(" in the following sentence");
        if (dataset != null) sb.append(" from ").append(dataset);
        sb.append('.');
        if (task == Task.EAE && !confirmedTriggers.isEmpty()) {
            sb.append(" It is important to note that the triggers of the events are confirmed as follows: ")
                    .append(String.join(", ", confirmedTriggers)).append('.');
        }
        return sb.append("\n\"\"\"\n").append(PyCode.sentence(sentence)).append('\n').toString();
    }

    private static String request(Task task) {
        return switch (task) {
            case NER -> "some Entity Classes are defined above. Please instantiate all the corresponding Entity Objects";
            case RE -> "some Relation Classes and related Entity Classes are defined above. Please instantiate all the corresponding Relation Objects";
            case ED, EAE -> "some Event Classes are defined above. Please instantiate all the corresponding Event Objects";
        };
    }

    /** RE queries import the entity types their type hints name (none when every hint is plain Entity). */
    private static List<String> hintedEntityTypes(Task task, List<Concept> classes) {
        if (task != Task.RE) return List.of();
        LinkedHashSet<String> types = new LinkedHashSet<>();
        for (Concept c : classes) {
            types.addAll(c.headTypes());
            types.addAll(c.tailTypes());
        }
        types.remove(Kind.ENTITY.baseClass());
        return List.copyOf(types);
    }
}

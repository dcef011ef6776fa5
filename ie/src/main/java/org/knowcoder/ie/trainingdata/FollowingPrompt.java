package org.knowcoder.ie.trainingdata;

import org.knowcoder.ie.prompt.Instruction;
import org.knowcoder.ie.prompt.PyCode;
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
     * {@code confirmedTriggers} are the triggers an EAE instruction states.
     */
    static String query(Task task, List<Concept> classes, String sentence, String dataset, List<Instruction.Trigger> confirmedTriggers) {
        StringBuilder sb = new StringBuilder(4096);
        List<String> hinted = hintedEntityTypes(task, classes);
        if (!hinted.isEmpty()) sb.append(PyCode.imports("Entities", hinted)).append("\n\n");
        sb.append(PythonRenderer.render(classes, task, Style.FOLLOWING)).append("\n\n\"\"\"\n")
                .append(Instruction.text(task, Instruction.Form.TRAINING, dataset, confirmedTriggers));
        return sb.append("\n\"\"\"\n").append(PyCode.sentence(sentence)).append('\n').toString();
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

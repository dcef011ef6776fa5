package org.knowcoder.ie.prompt;

import org.knowcoder.schema.Task;

import java.util.List;

/**
 * The task description between the class definitions and the sentence. Refined models get the
 * dataset's name ("... in the following sentence from CoNLL03."); EAE training data also states
 * the triggers (the released evaluation's EAE prompt does not).
 */
public final class Instruction {
    private Instruction() {}

    /** KnowCoder's training data writes "some Entity Classes ..."; its evaluation "Some Entity Classes ...". */
    public enum Form { TRAINING, EVALUATION }

    /** A trigger an EAE query confirms: its text and its event class. */
    public record Trigger(String text, String eventClass) {}

    /** The instruction's text (without the surrounding triple quotes). */
    public static String text(Task task, Form form, String dataset, List<Trigger> triggers) {
        String some = form == Form.TRAINING ? "some" : "Some";
        StringBuilder sb = new StringBuilder("This is an object-oriented programming task: ").append(some).append(switch (task) {
            case NER -> " Entity Classes are defined above. Please instantiate all the corresponding Entity Objects";
            case RE -> " Relation Classes and related Entity Classes are defined above. Please instantiate all the corresponding Relation Objects";
            case ED, EAE -> " Event Classes are defined above. Please instantiate all the corresponding Event Objects";
        }).append(" in the following sentence");
        if (dataset != null) sb.append(" from ").append(dataset);
        sb.append('.');
        // the released evaluation's EAE template ends this sentence with a space
        if (task == Task.EAE && form == Form.EVALUATION) sb.append(' ');
        if (task == Task.EAE && !triggers.isEmpty()) {
            sb.append(" It is important to note that the triggers of the events are confirmed as follows: ");
            for (int i = 0; i < triggers.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append('"').append(triggers.get(i).text()).append("\" is the trigger of event type \"").append(triggers.get(i).eventClass()).append('"');
            }
            sb.append('.');
        }
        return sb.toString();
    }
}

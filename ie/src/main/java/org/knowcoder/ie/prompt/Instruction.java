package org.knowcoder.ie.prompt;

import org.knowcoder.ie.eval.Task;

import java.util.List;

/**
 * The task description between the class definitions and the sentence, as KnowCoder's evaluation
 * words it; refined models get the dataset's name ("... in the following sentence from CoNLL03.").
 * EAE also states the triggers, which that task is given.
 */
public final class Instruction {
    private static final String OPENING = "This is an object-oriented programming task: ";

    private Instruction() {}

    /** A trigger the EAE query confirms: its text and its event class. */
    public record Trigger(String text, String eventClass) {}

    /** The instruction block's text (without the surrounding triple quotes). */
    public static String text(Task task, String dataset, List<Trigger> triggers) {
        String body = switch (task) {
            case NER -> "Some Entity Classes are defined above. Please instantiate all the corresponding Entity Objects in the following sentence";
            case RE -> "Some Relation Classes and related Entity Classes are defined above. Please instantiate all the corresponding Relation Objects in the following sentence";
            case ED, EAE -> "Some Event Classes are defined above. Please instantiate all the corresponding Event Objects in the following sentence";
        };
        StringBuilder sb = new StringBuilder(OPENING).append(body);
        if (dataset != null) sb.append(" from ").append(dataset);
        sb.append('.');
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

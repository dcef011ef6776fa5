package org.knowcoder.ie;

import java.util.List;

/** An event: its type, the trigger (a mention without a type) and the arguments found in the same sample. */
public record Event(String type, Mention trigger, List<Argument> arguments) {
    public Event {
        arguments = List.copyOf(arguments);
    }
}

package org.knowcoder.ie.text;

import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.eval.Predictions;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.ie.prompt.Instruction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Places one chunk's predictions on its text. The model writes span strings, not offsets; each is
 * put on an occurrence of the string in the chunk:
 * <ul>
 * <li>an entity, or an event trigger, on its first occurrence not already taken by another
 *     prediction of the same type (so a name predicted twice takes its first two occurrences);
 *     when every occurrence is taken the prediction is a duplicate and dropped;</li>
 * <li>a relation's head and tail on the pair of their occurrences nearest each other (ties: the
 *     earlier head); a head equal to its tail is dropped, and so is a repeated relation;</li>
 * <li>an event argument on its occurrence nearest the trigger (ties: the earlier one).</li>
 * </ul>
 * A span that does not occur in the chunk (or is blank) is dropped. Classes become types through
 * the plan's labels (superclass induction). A relation's head or tail takes the type of an entity
 * placed on exactly its characters, and has none otherwise. Offsets and texts are the input's: a span
 * the prompt's spacing split ("Acme 's" for "Acme's") is the input's characters from its first to its last.
 */
final class Placement {
    private final String input;
    /** The chunk as its prompts held it. */
    final String text;
    private final PromptText prompt;
    final List<Mention> entities = new ArrayList<>();
    final List<Relation> relations = new ArrayList<>();
    private final List<EventDraft> events = new ArrayList<>();
    private final Set<String> taken = new HashSet<>();

    /** @param prompt the chunk of {@code input} as the prompt wrote it */
    Placement(String input, PromptText prompt) {
        this.input = input;
        this.prompt = prompt;
        this.text = prompt.text;
    }

    void entities(TaskPlan plan, List<PyValue.Call> calls) {
        for (PyValue.Call call : calls) {
            Optional<String> type = plan.labels().label(call.name(), plan.post().hierarchy());
            String span = Predictions.argument(call, 0, "name");
            int at = type.isEmpty() ? -1 : firstFree("entity " + type.get(), span);
            if (at < 0) continue;
            Mention m = mention(type.get(), at, span.length());
            if (!entities.contains(m)) entities.add(m); // "Paris ." and "Paris" at a sentence's end are one mention
        }
    }

    void relations(TaskPlan plan, List<PyValue.Call> calls) {
        Set<String> seen = new HashSet<>();
        for (PyValue.Call call : calls) {
            Optional<String> type = plan.labels().label(call.name(), plan.post().hierarchy());
            String head = Predictions.argument(call, 0, "head_entity"), tail = Predictions.argument(call, 1, "tail_entity");
            if (type.isEmpty() || !occurs(head) || !occurs(tail) || head.equals(tail)) continue;
            int bestHead = -1, bestTail = -1;
            for (int h = text.indexOf(head); h >= 0; h = text.indexOf(head, h + 1)) {
                for (int t = text.indexOf(tail); t >= 0; t = text.indexOf(tail, t + 1)) {
                    if (bestHead < 0 || Math.abs(h - t) < Math.abs(bestHead - bestTail)) {
                        bestHead = h;
                        bestTail = t;
                    }
                }
            }
            if (!seen.add(type.get() + " " + bestHead + " " + bestTail)) continue;
            relations.add(new Relation(type.get(), typed(mention(null, bestHead, head.length())), typed(mention(null, bestTail, tail.length()))));
        }
    }

    /** ED: the events and their triggers; returns the triggers for EAE's prompt. */
    List<Instruction.Trigger> triggers(TaskPlan plan, List<PyValue.Call> calls) {
        List<Instruction.Trigger> out = new ArrayList<>();
        for (PyValue.Call call : calls) {
            Optional<String> type = plan.labels().label(call.name(), plan.post().hierarchy());
            String trigger = Predictions.argument(call, 0, "trigger");
            int at = type.isEmpty() ? -1 : firstFree("event " + type.get(), trigger);
            if (at < 0) continue;
            events.add(new EventDraft(type.get(), at, trigger.length()));
            out.add(new Instruction.Trigger(trigger, type.get()));
        }
        return out;
    }

    /** EAE: arguments join the event ED found with the same type and trigger, or a new event placed by the trigger rule. */
    void arguments(TaskPlan plan, List<PyValue.Call> calls) {
        for (PyValue.Call call : calls) {
            Optional<String> type = plan.labels().label(call.name(), plan.post().hierarchy());
            String trigger = Predictions.argument(call, 0, "trigger");
            if (type.isEmpty() || !occurs(trigger)) continue;
            EventDraft event = events.stream().filter(e -> e.type.equals(type.get()) && text.startsWith(trigger, e.start)
                    && e.length == trigger.length()).findFirst().orElse(null);
            if (event == null) {
                int at = firstFree("event " + type.get(), trigger);
                if (at < 0) continue;
                event = new EventDraft(type.get(), at, trigger.length());
                events.add(event);
            }
            for (Map.Entry<String, PyValue> kw : call.keywords().entrySet()) {
                if (kw.getKey().equals("trigger")) continue;
                String role = plan.labels().role(kw.getKey());
                List<PyValue> values = kw.getValue() instanceof PyValue.PyList list ? list.items() : List.of(kw.getValue());
                for (PyValue v : values) {
                    String span = PyValue.text(v);
                    if (!occurs(span)) continue;
                    int at = nearest(span, event.start);
                    if (event.seen.add(role + " " + at + " " + span.length())) {
                        event.arguments.add(new Argument(role, mention(null, at, span.length())));
                    }
                }
            }
        }
    }

    List<Event> events() {
        return events.stream().map(e -> new Event(e.type, mention(null, e.start, e.length), e.arguments)).toList();
    }

    /** The first occurrence of {@code span} that no earlier prediction of {@code key}'s type holds; -1 when none. */
    private int firstFree(String key, String span) {
        if (!occurs(span)) return -1;
        for (int at = text.indexOf(span); at >= 0; at = text.indexOf(span, at + 1)) {
            if (taken.add(key + " " + at + " " + span.length())) return at;
        }
        return -1;
    }

    /** The occurrence of {@code span} nearest {@code anchor}, ties to the earlier one. */
    private int nearest(String span, int anchor) {
        int best = text.indexOf(span);
        for (int at = best; at >= 0; at = text.indexOf(span, at + 1)) {
            if (Math.abs(at - anchor) < Math.abs(best - anchor)) best = at;
        }
        return best;
    }

    /** {@code m} with the type of an entity placed on exactly its characters, or none. */
    private Mention typed(Mention m) {
        for (Mention e : entities) if (e.start() == m.start() && e.end() == m.end()) return Mention.of(e.type(), input, m.start(), m.end());
        return m;
    }

    private boolean occurs(String span) {
        return span != null && !span.isBlank() && text.contains(span);
    }

    /** The mention under the prompt text's characters [at, at + length), not all spaces; its text is the input's. */
    private Mention mention(String type, int at, int length) {
        int[] span = prompt.inInput(at, length);
        return Mention.of(type, input, span[0], span[1]);
    }

    private static final class EventDraft {
        final String type;
        final int start, length;
        final List<Argument> arguments = new ArrayList<>();
        final Set<String> seen = new HashSet<>();

        EventDraft(String type, int start, int length) {
            this.type = type;
            this.start = start;
            this.length = length;
        }
    }
}

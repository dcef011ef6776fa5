package org.knowcoder.ie.trainingdata;

import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.prompt.Instruction;
import org.knowcoder.ie.prompt.PyCode;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A sample's annotations for one task as KnowCoder writes them: the gold classes (in order of first
 * appearance), the instantiations of the {@code results} list (in annotation order, as the
 * released training data has them) and, for EAE, the confirmed triggers the instruction states.
 */
record Gold(Task task, List<String> classes, List<String> instances, List<Instruction.Trigger> confirmedTriggers) {

    static Gold of(Task task, Sample s, ClassResolver classes) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        List<String> instances = new ArrayList<>();
        List<Instruction.Trigger> triggers = new ArrayList<>();
        switch (task) {
            case NER -> {
                for (Mention m : s.entities()) {
                    String cls = classes.resolve(Kind.ENTITY, s.dataset(), m.type()).name();
                    names.add(cls);
                    instances.add(PyCode.call(cls, m.text()));
                }
            }
            case RE -> {
                for (Relation r : s.relations()) {
                    String cls = classes.resolve(Kind.RELATION, s.dataset(), r.type()).name();
                    names.add(cls);
                    instances.add(PyCode.relation(cls, r.head().text(), r.tail().text()));
                }
            }
            case ED -> {
                for (Event e : s.events()) {
                    String cls = classes.resolve(Kind.EVENT, s.dataset(), e.type()).name();
                    names.add(cls);
                    instances.add(PyCode.call(cls, e.trigger().text()));
                }
            }
            case EAE -> {
                for (Event e : s.events()) {
                    String cls = classes.resolve(Kind.EVENT, s.dataset(), e.type()).name();
                    names.add(cls);
                    instances.add(eventCall(cls, e));
                    triggers.add(new Instruction.Trigger(e.trigger().text(), cls));
                }
            }
        }
        return new Gold(task, List.copyOf(names), instances, triggers);
    }

    /** The event's call, roles in order of first appearance. */
    private static String eventCall(String cls, Event e) {
        Map<String, List<String>> byRole = new LinkedHashMap<>();
        for (Argument a : e.arguments()) byRole.computeIfAbsent(a.role(), r -> new ArrayList<>()).add(a.span().text());
        return PyCode.event(cls, e.trigger().text(), byRole);
    }
}

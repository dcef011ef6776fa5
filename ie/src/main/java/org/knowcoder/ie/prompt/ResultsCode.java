package org.knowcoder.ie.prompt;

import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.eval.LabelMap;
import org.knowcoder.ie.eval.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sample's gold annotations as the code KnowCoder answers with, for few-shot examples:
 * {@code results = [\n\tHuman("Ann"),\n\tWorkFor(Entity("Ann"), Entity("Acme"))\n]}; events as
 * {@code Marry(trigger="married", person=[Entity("Bob")])}. Labels become class names through the
 * dataset's label map; an empty answer is {@code results = []}.
 */
public final class ResultsCode {
    private ResultsCode() {}

    public static String of(Task task, Sample sample, LabelMap labels) {
        Map<String, String> classOf = invert(labels.classToLabel());
        Map<String, String> argumentOf = invert(labels.argumentToRole());
        List<String> calls = new ArrayList<>();
        switch (task) {
            case NER -> sample.entities().forEach(m -> calls.add(call(classOf, m.type(), PythonLiteral.quote(m.text()))));
            case RE -> {
                for (Relation r : sample.relations()) {
                    calls.add(call(classOf, r.type(), entity(r.head()) + ", " + entity(r.tail())));
                }
            }
            case ED -> sample.events().forEach(e -> calls.add(call(classOf, e.type(), "trigger=" + PythonLiteral.quote(e.trigger().text()))));
            case EAE -> sample.events().forEach(e -> calls.add(call(classOf, e.type(), eaeArguments(e, argumentOf))));
        }
        if (calls.isEmpty()) return "results = []";
        return "results = [\n\t" + String.join(",\n\t", calls) + "\n]";
    }

    private static String eaeArguments(Event e, Map<String, String> argumentOf) {
        Map<String, List<String>> byRole = new LinkedHashMap<>();
        for (Argument a : e.arguments()) {
            byRole.computeIfAbsent(argumentOf.getOrDefault(a.role(), a.role()), r -> new ArrayList<>()).add(entity(a.span()));
        }
        StringBuilder sb = new StringBuilder("trigger=").append(PythonLiteral.quote(e.trigger().text()));
        byRole.forEach((role, spans) -> sb.append(", ").append(role).append("=[").append(String.join(", ", spans)).append(']'));
        return sb.toString();
    }

    private static String entity(Mention m) {
        return "Entity(" + PythonLiteral.quote(m.text()) + ")";
    }

    private static String call(Map<String, String> classOf, String label, String arguments) {
        return classOf.getOrDefault(label, label) + "(" + arguments + ")";
    }

    private static Map<String, String> invert(Map<String, String> map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.putIfAbsent(v, k));
        return out;
    }
}

package org.knowcoder.ie.prompt;

import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sample's gold annotations as the code KnowCoder answers with (the released training data's
 * form, {@link PyCode}), for few-shot examples. Labels become class names through the dataset's
 * label map; an empty answer is {@code results = []}.
 */
public final class ResultsCode {
    private ResultsCode() {}

    public static String of(Task task, Sample sample, LabelMap labels) {
        Map<String, String> classOf = invert(labels.classToLabel());
        Map<String, String> argumentOf = invert(labels.argumentToRole());
        List<String> calls = new ArrayList<>();
        switch (task) {
            case NER -> sample.entities().forEach(m -> calls.add(PyCode.call(classOf(classOf, m.type()), m.text())));
            case RE -> sample.relations().forEach(r -> calls.add(PyCode.relation(classOf(classOf, r.type()), r.head().text(), r.tail().text())));
            case ED -> sample.events().forEach(e -> calls.add(PyCode.call(classOf(classOf, e.type()), e.trigger().text())));
            case EAE -> {
                for (Event e : sample.events()) {
                    Map<String, List<String>> byRole = new LinkedHashMap<>();
                    for (Argument a : e.arguments()) {
                        byRole.computeIfAbsent(argumentOf.getOrDefault(a.role(), a.role()), r -> new ArrayList<>()).add(a.span().text());
                    }
                    calls.add(PyCode.event(classOf(classOf, e.type()), e.trigger().text(), byRole));
                }
            }
        }
        return PyCode.results(calls);
    }

    private static String classOf(Map<String, String> classOf, String label) {
        return classOf.getOrDefault(label, label);
    }

    private static Map<String, String> invert(Map<String, String> map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.putIfAbsent(v, k));
        return out;
    }
}

package org.knowcoder.ie.eval;

import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.schema.Task;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The scored tuples of one sentence's parsed instances, after the filters that need no schema
 * library: a class is mapped to the dataset's label (or its nearest mapped ancestor's; else the
 * instance is dropped), spans that are not exact substrings of the sentence (or are empty) are
 * dropped, and so are relations whose head equals their tail. Duplicates collapse (a set).
 *
 * <p>Arguments are read positionally or by keyword: NER {@code name}, RE {@code head_entity} and
 * {@code tail_entity}, ED and EAE {@code trigger}; EAE roles are the remaining keywords, each a list
 * of entities (or one). An EAE argument needs no trigger in the sentence, as the trigger is given.
 */
public final class Predictions {
    private Predictions() {}

    public static Set<Tuple> of(Task task, String sentence, List<PyValue.Call> calls, LabelMap labels,
                                TypeHierarchy hierarchy, SpanMode mode) {
        Set<Tuple> out = new LinkedHashSet<>();
        for (PyValue.Call call : calls) {
            Optional<String> mapped = labels.label(call.name(), hierarchy);
            if (mapped.isEmpty()) continue;
            String label = mapped.get();
            switch (task) {
                case NER, ED -> {
                    String span = argument(call, 0, task == Task.NER ? "name" : "trigger");
                    if (occurs(sentence, span)) out.add(Tuple.of(label, mode.predicted(sentence, span, -1)));
                }
                case RE -> {
                    String head = argument(call, 0, "head_entity"), tail = argument(call, 1, "tail_entity");
                    if (occurs(sentence, head) && occurs(sentence, tail) && !head.equals(tail)) {
                        out.add(Tuple.of(label, mode.predicted(sentence, head, -1), mode.predicted(sentence, tail, -1)));
                    }
                }
                case EAE -> arguments(call, label, sentence, labels, mode, out);
            }
        }
        return out;
    }

    private static void arguments(PyValue.Call call, String label, String sentence, LabelMap labels, SpanMode mode, Set<Tuple> out) {
        String trigger = argument(call, 0, "trigger");
        int anchor = occurs(sentence, trigger) ? sentence.indexOf(trigger) : -1;
        for (Map.Entry<String, PyValue> kw : call.keywords().entrySet()) {
            if (kw.getKey().equals("trigger")) continue;
            String role = labels.role(kw.getKey());
            List<PyValue> values = kw.getValue() instanceof PyValue.PyList list ? list.items() : List.of(kw.getValue());
            for (PyValue v : values) {
                String span = PyValue.text(v);
                if (occurs(sentence, span)) out.add(Tuple.of(label, role, mode.predicted(sentence, span, anchor)));
            }
        }
    }

    /** The text of keyword argument {@code keyword}, else of positional argument {@code index}; null when absent. */
    public static String argument(PyValue.Call call, int index, String keyword) {
        PyValue v = call.keywords().get(keyword);
        if (v == null && index < call.positional().size()) v = call.positional().get(index);
        return v == null ? null : PyValue.text(v);
    }

    private static boolean occurs(String sentence, String span) {
        return span != null && !span.isEmpty() && sentence.contains(span);
    }
}

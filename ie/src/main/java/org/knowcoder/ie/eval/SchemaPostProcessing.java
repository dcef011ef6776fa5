package org.knowcoder.ie.eval;

import org.knowcoder.ie.data.TypeHierarchy;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the schema library adds to scoring: superclass induction over its taxonomy, and each
 * instance's class methods (cut a span at " as ", append "star", drop pronouns) applied to the
 * spans it holds before they are compared. A span a rule drops takes its instance (or, for an
 * event argument, that argument) with it.
 */
public final class SchemaPostProcessing {
    private final SchemaLibrary library;
    private final Kind kind;

    public SchemaPostProcessing(SchemaLibrary library, Task task) {
        this.library = library;
        this.kind = task.kind();
    }

    /** Each class's direct superclass in the library, for {@link org.knowcoder.ie.data.LabelMap#label}. */
    public TypeHierarchy hierarchy() {
        return className -> library.taxonomy(kind).parent(className);
    }

    /** The calls with every string span rewritten by the class's methods; calls whose main span is dropped are left out. */
    public List<PyValue.Call> apply(List<PyValue.Call> calls, String sentence) {
        List<PyValue.Call> out = new ArrayList<>();
        for (PyValue.Call call : calls) {
            if (library.rules(kind, call.name()).isEmpty()) {
                out.add(call);
                continue;
            }
            List<PyValue> positional = new ArrayList<>();
            boolean dropped = false;
            for (PyValue v : call.positional()) {
                PyValue p = rewrite(call.name(), v, sentence);
                dropped |= p == null;
                positional.add(p);
            }
            Map<String, PyValue> keywords = new LinkedHashMap<>();
            for (Map.Entry<String, PyValue> kw : call.keywords().entrySet()) {
                PyValue p = rewrite(call.name(), kw.getValue(), sentence);
                if (p == null && !(kw.getValue() instanceof PyValue.PyList)) dropped = true;
                else if (p != null) keywords.put(kw.getKey(), p);
            }
            if (!dropped) out.add(new PyValue.Call(call.name(), positional, keywords));
        }
        return out;
    }

    /** A value with its spans post-processed; null when the rules drop it. Lists lose dropped items. */
    private PyValue rewrite(String className, PyValue v, String sentence) {
        return switch (v) {
            case PyValue.Str s -> {
                String span = library.postProcess(kind, className, s.value(), sentence);
                yield span == null ? null : new PyValue.Str(span);
            }
            case PyValue.Call c when c.positional().size() == 1 && c.positional().getFirst() instanceof PyValue.Str s -> {
                String span = library.postProcess(kind, className, s.value(), sentence);
                yield span == null ? null : new PyValue.Call(c.name(), List.of(new PyValue.Str(span)), c.keywords());
            }
            case PyValue.PyList list -> {
                List<PyValue> items = new ArrayList<>();
                for (PyValue item : list.items()) {
                    PyValue p = rewrite(className, item, sentence);
                    if (p != null) items.add(p);
                }
                yield new PyValue.PyList(items);
            }
            default -> v;
        };
    }
}

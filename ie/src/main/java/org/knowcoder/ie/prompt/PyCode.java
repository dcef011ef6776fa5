package org.knowcoder.ie.prompt;

import java.util.List;
import java.util.Map;

/**
 * The pieces of KnowCoder's code that are not class definitions: the sentence line, the results
 * list and instantiations. Text goes between the quotes raw, as KnowCoder writes it (its released
 * prompts keep quotes and line breaks of the sentence unescaped), so the output matches byte for byte.
 */
public final class PyCode {
    private PyCode() {}

    /** {@code sentence = "..."} without a line break. */
    public static String sentence(String text) {
        return "sentence = \"" + text + "\"";
    }

    /** {@code results = []}, or one instance per line, tab-indented, comma-separated. */
    public static String results(List<String> instances) {
        if (instances.isEmpty()) return "results = []";
        return "results = [\n\t" + String.join(",\n\t", instances) + "\n]";
    }

    /** {@code Cls("text")}: an entity, or an event by its trigger (ED). */
    public static String call(String cls, String text) {
        return cls + "(\"" + text + "\")";
    }

    /** {@code Cls(Entity("head"), Entity("tail"))}: a relation. */
    public static String relation(String cls, String head, String tail) {
        return cls + "(" + call("Entity", head) + ", " + call("Entity", tail) + ")";
    }

    /** {@code Cls(trigger = "t", role = [Entity("a"), Entity("b")])}: an event with its arguments, roles in the given order. */
    public static String event(String cls, String trigger, Map<String, List<String>> argumentsByRole) {
        StringBuilder sb = new StringBuilder(cls).append("(trigger = \"").append(trigger).append('"');
        argumentsByRole.forEach((role, fillers) -> sb.append(", ").append(role).append(" = [")
                .append(String.join(", ", fillers.stream().map(f -> call("Entity", f)).toList())).append(']'));
        return sb.append(')').toString();
    }

    /** {@code from Entities import A, B}. */
    public static String imports(String module, List<String> names) {
        return "from " + module + " import " + String.join(", ", names);
    }
}

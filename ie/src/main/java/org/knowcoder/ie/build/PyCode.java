package org.knowcoder.ie.build;

import java.util.List;

/**
 * The pieces of KnowCoder's code that are not class definitions: the sentence line, the results
 * list and instantiations. Text goes between the quotes raw, as KnowCoder writes it (its released
 * prompts keep quotes and line breaks of the sentence unescaped), so the output matches byte for byte.
 */
final class PyCode {
    private PyCode() {}

    /** {@code sentence = "..."} without a line break. */
    static String sentence(String text) {
        return "sentence = \"" + text + "\"";
    }

    /** {@code results = []}, or one instance per line, tab-indented, comma-separated. */
    static String results(List<String> instances) {
        if (instances.isEmpty()) return "results = []";
        return "results = [\n\t" + String.join(",\n\t", instances) + "\n]";
    }

    /** {@code Cls("text")}: an entity, or an event by its trigger (ED). */
    static String call(String cls, String text) {
        return cls + "(\"" + text + "\")";
    }

    /** {@code from Entities import A, B}. */
    static String imports(String module, List<String> names) {
        return "from " + module + " import " + String.join(", ", names);
    }
}

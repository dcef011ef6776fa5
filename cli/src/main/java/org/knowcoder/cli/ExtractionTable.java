package org.knowcoder.cli;

import org.knowcoder.api.Extraction;

import java.util.stream.Collectors;

/** {@code extract --pretty}: one result as lines for people, a span as its text and offsets. */
final class ExtractionTable {
    private ExtractionTable() {}

    static String of(Extraction e) {
        StringBuilder sb = new StringBuilder("[").append(e.id()).append("] ").append(e.text().length() > 100 ? e.text().substring(0, 100) + "..." : e.text())
                .append(e.truncated() ? "  (a sentence was cut to fit the context)" : "").append('\n');
        for (Extraction.Mention m : e.entities()) sb.append(String.format("  entity    %-20s %s%n", m.type(), span(m)));
        for (Extraction.Relation r : e.relations()) sb.append(String.format("  relation  %-20s %s -> %s%n", r.type(), span(r.head()), span(r.tail())));
        for (Extraction.Event ev : e.events()) {
            sb.append(String.format("  event     %-20s %s%s%n", ev.type(), span(ev.trigger()), ev.arguments().isEmpty() ? "" : "  "
                    + ev.arguments().stream().map(a -> a.role() + ": " + a.text() + " [" + a.start() + "," + a.end() + ")").collect(Collectors.joining(", "))));
        }
        if (e.entities().isEmpty() && e.relations().isEmpty() && e.events().isEmpty()) sb.append("  (nothing found)\n");
        return sb.toString();
    }

    private static String span(Extraction.Mention m) {
        return m.text() + " [" + m.start() + "," + m.end() + ")";
    }
}

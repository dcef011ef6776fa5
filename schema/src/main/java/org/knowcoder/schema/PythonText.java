package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * How text sits in the rendered Python, one place for writing and reading it back. KnowCoder
 * writes descriptions and examples raw into docstrings; so does this, as long as the raw text
 * reads back unchanged. Text that would not (a line break, a leading quote, an example containing
 * its list's separator, an empty example) is written as a double-quoted Python string literal
 * instead, so that import inverts rendering exactly.
 */
final class PythonText {
    private PythonText() {}

    /** A Python string literal in the given quote character, escaping backslashes, that quote and line breaks. */
    static String literal(String text, char quote) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append(quote);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == quote) sb.append('\\');
                    sb.append(c);
                }
            }
        }
        return sb.append(quote).toString();
    }

    /** A literal read from text: its value and the index just past its closing quote. */
    record Literal(String value, int end) {}

    /** Reads the string literal that starts at {@code start} (a single or double quote). */
    static Literal readLiteral(String text, int start) {
        char quote = text.charAt(start);
        StringBuilder sb = new StringBuilder();
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == quote) return new Literal(sb.toString(), i + 1);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i == text.length()) break;
            char e = text.charAt(i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case '\\', '"', '\'' -> sb.append(e);
                default -> throw new BadInputException("unknown escape \\" + e + " in string literal");
            }
        }
        throw new BadInputException("string literal is not closed");
    }

    /** Text that can never be written raw: empty, starting with a quote, with a line break or a docstring end. */
    private static boolean unsafe(String text) {
        return text.isEmpty() || text.charAt(0) == '"' || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0
                || text.contains("\"\"\"");
    }

    /** A description as its docstring line shows it (an empty one stays empty, as in KnowCoder's "Description: "). */
    static String description(String text) {
        if (text.isEmpty()) return text;
        return unsafe(text) && !leadingQuoteReadsRaw(text) ? literal(text, '"') : text;
    }

    /** A description that merely starts with a quote, as {@code "Hello" is a song}, is not one literal and stays raw. */
    private static boolean leadingQuoteReadsRaw(String text) {
        if (text.charAt(0) != '"' || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || text.contains("\"\"\"")) {
            return false;
        }
        try {
            return readLiteral(text, 0).end() != text.length();
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    static String readDescription(String text) {
        if (text.isEmpty() || text.charAt(0) != '"') return text;
        try {
            Literal lit = readLiteral(text, 0);
            if (lit.end() == text.length()) return lit.value();
        } catch (IllegalArgumentException e) {
            // not a literal: raw text that starts with a quote
        }
        return text;
    }

    /** Examples joined by ", " (entities), or each followed by ", " (event triggers, as KnowCoder writes them). */
    static String items(List<String> items, boolean trailing) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            if (i > 0 && !trailing) sb.append(", ");
            String item = items.get(i);
            sb.append(unsafe(item) || item.contains(", ") ? literal(item, '"') : item);
            if (trailing) sb.append(", ");
        }
        return sb.toString();
    }

    static List<String> readItems(String text, boolean trailing) {
        if (trailing && text.endsWith(", ")) text = text.substring(0, text.length() - 2);
        else if (text.isEmpty()) return List.of();
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            if (i < text.length() && text.charAt(i) == '"') {
                Literal lit = readLiteral(text, i);
                out.add(lit.value());
                i = lit.end();
                if (i == text.length()) return out;
                i = expect(text, i, ", ");
            } else {
                int j = text.indexOf(", ", i);
                if (j < 0) {
                    out.add(text.substring(i));
                    return out;
                }
                out.add(text.substring(i, j));
                i = j + 2;
            }
        }
    }

    /** Relation examples: {@code (head, tail), (head, tail)}. */
    static String pairs(List<ExamplePair> pairs) {
        StringBuilder sb = new StringBuilder();
        for (ExamplePair p : pairs) {
            if (!sb.isEmpty()) sb.append(", ");
            String head = p.head(), tail = p.tail();
            sb.append('(').append(unsafe(head) || head.contains(", ") ? literal(head, '"') : head).append(", ")
                    .append(unsafe(tail) || tail.contains("), (") ? literal(tail, '"') : tail).append(')');
        }
        return sb.toString();
    }

    /**
     * Reads pairs written by {@link #pairs}, and KnowCoder's own, where a raw head ends at the first
     * ", " and a raw tail at the first "), (" or the line's final ")".
     */
    static List<ExamplePair> readPairs(String text) {
        List<ExamplePair> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (!out.isEmpty()) i = expect(text, i, ", ");
            i = expect(text, i, "(");
            Literal head = field(text, i, ", ", ", ");
            Literal tail = field(text, head.end() + 2, "), (", ")");
            out.add(new ExamplePair(head.value(), tail.value()));
            i = tail.end() + 1;
        }
        return out;
    }

    /**
     * A head or tail at {@code i}: a literal followed by {@code closer}, or raw text up to the
     * first {@code rawEnd} (for the last tail, up to the closing ")" at the end of the line). The
     * result's end is where the closer starts.
     */
    private static Literal field(String text, int i, String rawEnd, String closer) {
        if (i < text.length() && text.charAt(i) == '"') {
            Literal lit = readLiteral(text, i);
            expect(text, lit.end(), closer);
            return lit;
        }
        int j = text.indexOf(rawEnd, i);
        if (j < 0 && !rawEnd.equals(closer) && text.endsWith(closer) && text.length() - closer.length() >= i) {
            j = text.length() - closer.length();
        }
        if (j < 0) throw new BadInputException("example pair without '" + closer.strip() + "' after " + text.substring(i));
        return new Literal(text.substring(i, j), j);
    }

    /** A Python list of string literals, {@code ["a", "b"]} or {@code ['a', 'b']}. */
    static String stringList(List<String> items, char quote) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(literal(items.get(i), quote));
        }
        return sb.append(']').toString();
    }

    static List<String> readStringList(String text) {
        int i = expect(text, 0, "[");
        List<String> out = new ArrayList<>();
        while (i < text.length() && text.charAt(i) != ']') {
            if (!out.isEmpty()) i = expect(text, i, ", ");
            if (i >= text.length() || (text.charAt(i) != '"' && text.charAt(i) != '\'')) {
                throw new BadInputException("expected a string literal in list " + text);
            }
            Literal lit = readLiteral(text, i);
            out.add(lit.value());
            i = lit.end();
        }
        if (expect(text, i, "]") != text.length()) throw new BadInputException("unexpected text after list " + text);
        return out;
    }

    private static int expect(String text, int at, String what) {
        if (!text.startsWith(what, at)) {
            throw new BadInputException("expected '" + what + "' at column " + (at + 1));
        }
        return at + what.length();
    }
}

package org.knowcoder.ie.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the instances out of KnowCoder's generated code. Only the first {@code results = [...]}
 * counts, and only its complete elements: parsing stops at the first element that is cut off or
 * not Python it understands, keeping the ones before it (a call whose closing parenthesis came is
 * complete even if the list never closes), and text after the list is ignored. Strings
 * may use either quote and Python escapes; calls take positional and keyword arguments and may span
 * lines. Never throws on any input.
 */
public final class OutputParser {
    private static final Pattern RESULTS = Pattern.compile("results\\s*=\\s*\\[");
    /** Deeper nesting than any schema needs is treated as garbage, which also bounds the recursion. */
    private static final int MAX_DEPTH = 32;

    private final String s;
    private int pos;

    private OutputParser(String s, int pos) {
        this.s = s;
        this.pos = pos;
    }

    /** The complete calls among the elements of the first {@code results = [...]}; empty when there is none. */
    public static List<PyValue.Call> parse(String output) {
        List<PyValue.Call> out = new ArrayList<>();
        calls(output, (call, start, end) -> out.add(call));
        return out;
    }

    /** The code of each call {@link #parse} finds, as the output wrote it. */
    public static List<String> elements(String output) {
        List<String> out = new ArrayList<>();
        calls(output, (call, start, end) -> out.add(output.substring(start, end)));
        return out;
    }

    /** Receives each complete call of the results list and where its code starts and ends. */
    private interface CallSink {
        void accept(PyValue.Call call, int start, int end);
    }

    private static void calls(String output, CallSink sink) {
        Matcher m = RESULTS.matcher(output);
        if (!m.find()) return;
        OutputParser p = new OutputParser(output, m.end());
        while (true) {
            p.skipSpace();
            if (p.pos >= output.length() || output.charAt(p.pos) == ']') return;
            int start = p.pos;
            PyValue v = p.value(0);
            if (v == null) return; // cut off or garbage: what came before stands
            if (v instanceof PyValue.Call call) sink.accept(call, start, p.pos);
            p.skipSpace();
            if (p.pos >= output.length() || output.charAt(p.pos) != ',') return;
            p.pos++;
        }
    }

    /** A value at pos, or null (pos then undefined) when the text there is cut off or not understood. */
    private PyValue value(int depth) {
        if (depth > MAX_DEPTH) return null;
        skipSpace();
        if (pos >= s.length()) return null;
        char c = s.charAt(pos);
        if (c == '"' || c == '\'') return string();
        if (c == '[') return list(depth);
        if (Character.isJavaIdentifierStart(c) || Character.isDigit(c) || c == '-') {
            int start = pos;
            while (pos < s.length() && (Character.isJavaIdentifierPart(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == '-' && pos == start)) pos++;
            String name = s.substring(start, pos);
            int afterName = pos;
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '(') return call(name, depth);
            pos = afterName;
            return new PyValue.Bare(name);
        }
        return null;
    }

    private PyValue.Call call(String name, int depth) {
        List<PyValue> positional = new ArrayList<>();
        Map<String, PyValue> keywords = new LinkedHashMap<>();
        boolean complete = items(')', () -> {
            String keyword = keyword();
            PyValue v = value(depth + 1);
            if (v == null) return false;
            if (keyword != null) keywords.putIfAbsent(keyword, v);
            else positional.add(v);
            return true;
        });
        return complete ? new PyValue.Call(name, positional, keywords) : null;
    }

    private PyValue.PyList list(int depth) {
        List<PyValue> items = new ArrayList<>();
        boolean complete = items(']', () -> {
            PyValue v = value(depth + 1);
            return v != null && items.add(v);
        });
        return complete ? new PyValue.PyList(items) : null;
    }

    /**
     * The comma-separated items after the opening bracket at pos, up to {@code close} (consumed), each
     * read by {@code item}; false when the text is cut off or an item is not understood.
     */
    private boolean items(char close, BooleanSupplier item) {
        pos++; // the opening bracket
        while (true) {
            skipSpace();
            if (pos >= s.length()) return false;
            if (s.charAt(pos) == close) {
                pos++;
                return true;
            }
            if (!item.getAsBoolean() || !separator(close)) return false;
        }
    }

    /** After an item: a comma (consumed) or the closing bracket (left for the caller). */
    private boolean separator(char close) {
        skipSpace();
        if (pos >= s.length()) return false;
        if (s.charAt(pos) == ',') {
            pos++;
            return true;
        }
        return s.charAt(pos) == close;
    }

    /** {@code name =} at pos (consumed, name returned), or null with pos unchanged. */
    private String keyword() {
        int start = pos;
        while (pos < s.length() && Character.isJavaIdentifierPart(s.charAt(pos))) pos++;
        if (pos > start && Character.isJavaIdentifierStart(s.charAt(start))) {
            String name = s.substring(start, pos);
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '=' && (pos + 1 >= s.length() || s.charAt(pos + 1) != '=')) {
                pos++;
                return name;
            }
        }
        pos = start;
        return null;
    }

    /** A Python string literal with its escapes resolved, or null when it is not closed on its line. */
    private PyValue.Str string() {
        char quote = s.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == quote) return new PyValue.Str(sb.toString());
            if (c == '\n') return null;
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) return null;
            char e = s.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '\\', '\'', '"' -> sb.append(e);
                case 'u', 'x' -> {
                    int len = e == 'u' ? 4 : 2;
                    if (pos + len > s.length()) return null;
                    try {
                        sb.append((char) Integer.parseInt(s, pos, pos + len, 16));
                    } catch (NumberFormatException bad) {
                        return null;
                    }
                    pos += len;
                }
                case '\n' -> { } // a backslash-newline continues the string
                default -> sb.append('\\').append(e); // Python keeps unknown escapes as written
            }
        }
        return null;
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '#') {
                while (pos < s.length() && s.charAt(pos) != '\n') pos++;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }
}

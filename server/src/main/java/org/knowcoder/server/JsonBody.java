package org.knowcoder.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;

import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A request body's JSON object and its fields, checked: each problem is a 400 that names the field
 * and says what was expected. A field given as JSON null counts as absent, as clients that spell
 * out every parameter send it.
 */
final class JsonBody {
    /** Strict: a duplicate key or trailing data is an error rather than a guess at what was meant. */
    private static final ObjectReader READER = Exchanges.JSON.reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonBody() {}

    /**
     * The body's object; a field not in {@code fields} is a 400 naming it, so a misspelt one is not ignored.
     *
     * @param example a body that would do, for the error of a body that is no object
     */
    static JsonNode object(String body, Set<String> fields, String example) {
        JsonNode root;
        try {
            root = READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw ApiError.badRequest("the body must be a JSON object: " + example);
        onlyFields(root, fields, "");
        return root;
    }

    /** A 400 naming the first field of {@code object} outside {@code fields} ({@code where} prefixes its name: "messages[0]."). */
    static void onlyFields(JsonNode object, Set<String> fields, String where) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) throw ApiError.badRequest("unknown field \"" + where + f + "\"; expected " + String.join(", ", fields.stream().sorted().toList()));
        }
    }

    /** The field, or null when absent or JSON null. */
    static JsonNode field(JsonNode object, String name) {
        JsonNode n = object.get(name);
        return n == null || n.isNull() ? null : n;
    }

    static int integer(JsonNode object, String name, int absent) {
        long n = longInteger(object, name, absent);
        if (n != (int) n) throw ApiError.badRequest("\"" + name + "\" must be an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ", got " + n);
        return (int) n;
    }

    static long longInteger(JsonNode object, String name, long absent) {
        JsonNode n = typed(object, name, v -> v.isIntegralNumber() && v.canConvertToLong(), "an integer");
        return n == null ? absent : n.longValue();
    }

    static double number(JsonNode object, String name, double absent) {
        JsonNode n = typed(object, name, JsonNode::isNumber, "a number");
        return n == null ? absent : n.doubleValue();
    }

    static boolean bool(JsonNode object, String name, boolean absent) {
        JsonNode n = typed(object, name, JsonNode::isBoolean, "true or false");
        return n == null ? absent : n.booleanValue();
    }

    static String string(JsonNode object, String name, String absent) {
        JsonNode n = typed(object, name, JsonNode::isTextual, "a string");
        return n == null ? absent : n.textValue();
    }

    /** The field ({@link #field}: null when absent), or a 400 saying it must be {@code expected} when {@code ok} refuses it. */
    private static JsonNode typed(JsonNode object, String name, Predicate<JsonNode> ok, String expected) {
        JsonNode n = field(object, name);
        if (n != null && !ok.test(n)) throw ApiError.badRequest("\"" + name + "\" must be " + expected + ", got " + describe(n));
        return n;
    }

    /** A value as an error names it: its JSON type, and a short value as written. */
    static String describe(JsonNode n) {
        String type = n.getNodeType().name().toLowerCase(Locale.ROOT);
        String text = n.toString();
        return text.length() <= 40 ? type + " " + text : type;
    }
}

package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/extract}, checked: {@code "text"} (one string) or {@code "texts"} (an
 * array of them), the types as {@code "types"} (entity names) or {@code "schema"} (a types file's
 * JSON: an array of {@code {"name", "kind", "description", ...}}), or neither for the model's
 * default types, {@code "task"} (a name or an array: ner, re, ed, eae, all) and {@code "raw"} (add
 * the generated code). Anything else is a 400 naming it, so a misspelt field is not ignored.
 *
 * @param single whether the texts came as {@code "text"} (the answer is one result, not an array)
 */
record ExtractRequest(List<String> texts, boolean single, JsonNode types, JsonNode schema, List<String> tasks, boolean raw) {
    private static final Set<String> FIELDS = Set.of("text", "texts", "types", "schema", "task", "raw");

    static ExtractRequest parse(String body) {
        JsonNode root = JsonBody.object(body, FIELDS, "{\"text\": \"...\", \"types\": [\"Person\"]}");
        if (root.has("text") == root.has("texts")) throw ApiError.badRequest("give the text as \"text\" (a string) or \"texts\" (an array of strings), one of them");
        if (root.has("types") && root.has("schema")) throw ApiError.badRequest("give the types as \"types\" (names) or \"schema\" (type objects), not both");
        boolean single = root.has("text");
        List<String> texts = single ? List.of(text(root.get("text"), "\"text\"")) : texts(root.get("texts"));
        JsonNode types = root.get("types");
        if (types != null) strings(types, "\"types\"");
        JsonNode schema = root.get("schema");
        if (schema != null && !(schema.isArray() || schema.isObject())) throw ApiError.badRequest("\"schema\" must be an array of type objects ([{\"name\": \"Person\"}])");
        List<String> tasks = tasks(root.get("task"));
        JsonNode raw = root.get("raw");
        if (raw != null && !raw.isBoolean()) throw ApiError.badRequest("\"raw\" must be true or false");
        return new ExtractRequest(texts, single, types, schema, tasks, raw != null && raw.booleanValue());
    }

    private static List<String> texts(JsonNode n) {
        if (!n.isArray() || n.isEmpty()) throw ApiError.badRequest("\"texts\" must be a non-empty array of strings");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) out.add(text(n.get(i), "\"texts\"[" + i + "]"));
        return out;
    }

    private static String text(JsonNode n, String what) {
        if (!n.isTextual()) throw ApiError.badRequest(what + " must be a string, got " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        if (n.asText().isBlank()) throw ApiError.badRequest(what + " is empty; give text to extract from");
        return n.asText();
    }

    /** A non-empty array of non-blank strings. */
    private static List<String> strings(JsonNode n, String what) {
        if (!n.isArray() || n.isEmpty()) throw ApiError.badRequest(what + " must be a non-empty array of strings ([\"Person\", \"Organization\"])");
        List<String> out = new ArrayList<>();
        for (JsonNode s : n) {
            if (!s.isTextual() || s.asText().isBlank()) throw ApiError.badRequest(what + " must hold non-empty strings, got " + s);
            out.add(s.asText());
        }
        return out;
    }

    private static List<String> tasks(JsonNode n) {
        if (n == null) return List.of();
        if (n.isTextual()) return List.of(n.asText());
        return strings(n, "\"task\"");
    }
}

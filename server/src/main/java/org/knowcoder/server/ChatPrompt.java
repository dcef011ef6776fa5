package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The prompt of a chat completion. KnowCoder is a base-style model with no chat template (it was
 * trained on code prompts, not turns), so the messages are not dressed in role markers: their
 * contents are concatenated in order, one line after another, system and user alike (and an
 * assistant's earlier turns, which the model continues). A single user message is thus sent as
 * written, as {@code /v1/completions} would send it as the prompt.
 */
final class ChatPrompt {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name");
    private static final Set<String> PART_FIELDS = Set.of("type", "text");

    private ChatPrompt() {}

    /** The prompt of {@code messages}: a non-empty array of {@code {"role", "content"}}, content a string or an array of text parts. */
    static String of(JsonNode messages) {
        if (messages == null) throw ApiError.badRequest("\"messages\" is required: [{\"role\": \"user\", \"content\": \"...\"}]");
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("\"messages\" must be a non-empty array of {\"role\", \"content\"} objects, got " + JsonBody.describe(messages));
        }
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) throw ApiError.badRequest("\"" + where + "\" must be an object {\"role\", \"content\"}, got " + JsonBody.describe(m));
            JsonBody.onlyFields(m, MESSAGE_FIELDS, where + ".");
            String role = JsonBody.string(m, "role", null);
            if (role == null || !ROLES.contains(role)) {
                throw ApiError.badRequest("\"" + where + ".role\" must be one of " + String.join(", ", ROLES.stream().sorted().toList()) + ", got " + m.get("role"));
            }
            contents.add(content(m.get("content"), where + ".content"));
        }
        String prompt = String.join("\n", contents);
        if (prompt.isBlank()) throw ApiError.badRequest("\"messages\" hold no text; give a message with content");
        return prompt;
    }

    /** A string, or an array of {@code {"type": "text", "text"}} parts (as newer clients send it), joined. */
    private static String content(JsonNode c, String where) {
        if (c != null && c.isTextual()) return c.textValue();
        if (c == null || !c.isArray()) {
            throw ApiError.badRequest("\"" + where + "\" must be a string or an array of {\"type\": \"text\", \"text\"} parts, got " + (c == null ? "nothing" : JsonBody.describe(c)));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String at = where + "[" + i + "]";
            if (!part.isObject()) throw ApiError.badRequest("\"" + at + "\" must be a {\"type\": \"text\", \"text\"} part, got " + JsonBody.describe(part));
            JsonBody.onlyFields(part, PART_FIELDS, at + ".");
            if (!"text".equals(JsonBody.string(part, "type", null))) throw ApiError.badRequest("\"" + at + ".type\" must be \"text\" (the model reads text only)");
            String text = JsonBody.string(part, "text", null);
            if (text == null) throw ApiError.badRequest("\"" + at + ".text\" is required");
            out.append(text);
        }
        return out.toString();
    }
}

package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.api.Generation;
import org.knowcoder.io.BadInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The body of {@code POST /v1/completions} ({@code "prompt"}) or {@code POST /v1/chat/completions}
 * ({@code "messages"}, see {@link ChatPrompt}), as the OpenAI API defines them: max_tokens (chat
 * also max_completion_tokens), temperature (default 1, as OpenAI's; 0 is greedy), top_p, stop,
 * seed (default: a random one), stream and stream_options.include_usage. "model" may name any
 * model (official clients must send one): the served model answers, and the response names it. n, presence_penalty and
 * frequency_penalty are accepted at their defaults only (1, 0, 0), and "user" is ignored, so that
 * clients that spell out defaults work. Anything else is a 400 naming it.
 *
 * @param promptField the field the prompt came from, for errors about it ("prompt" or "messages")
 */
record CompletionRequest(String prompt, String promptField, Generation generation, boolean stream, boolean includeUsage) {
    private static final Set<String> COMMON = Set.of("model", "max_tokens", "temperature", "top_p", "stop", "seed", "stream", "stream_options",
            "n", "user", "presence_penalty", "frequency_penalty");
    private static final Set<String> COMPLETION = union(COMMON, "prompt");
    private static final Set<String> CHAT = union(COMMON, "messages", "max_completion_tokens");

    /** @param maxTokens the limit of a request that sets none: the server's new-token limit */
    static CompletionRequest parse(String body, boolean chat, int maxTokens) {
        JsonNode root = JsonBody.object(body, chat ? CHAT : COMPLETION,
                chat ? "{\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]}" : "{\"prompt\": \"...\", \"max_tokens\": 16}");
        JsonBody.string(root, "model", null);
        JsonBody.string(root, "user", null);
        if (JsonBody.integer(root, "n", 1) != 1) throw ApiError.badRequest("\"n\" must be 1: one choice per request");
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            if (JsonBody.number(root, penalty, 0) != 0) throw ApiError.badRequest("\"" + penalty + "\" must be 0: penalties are not supported");
        }
        String prompt = chat ? ChatPrompt.of(JsonBody.field(root, "messages")) : prompt(JsonBody.field(root, "prompt"));
        int limit = JsonBody.integer(root, "max_tokens", maxTokens);
        if (chat) limit = JsonBody.integer(root, "max_completion_tokens", limit);
        Generation generation;
        try {
            generation = new Generation(limit, JsonBody.number(root, "temperature", 1), JsonBody.number(root, "top_p", 1),
                    JsonBody.longInteger(root, "seed", ThreadLocalRandom.current().nextLong()), stop(JsonBody.field(root, "stop")));
        } catch (BadInputException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        return new CompletionRequest(prompt, chat ? "messages" : "prompt", generation, JsonBody.bool(root, "stream", false), includeUsage(root));
    }

    /** A string, or an array holding one (one choice per request). */
    private static String prompt(JsonNode p) {
        if (p == null) throw ApiError.badRequest("\"prompt\" is required: a string");
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) p = p.get(0);
        if (!p.isTextual()) throw ApiError.badRequest("\"prompt\" must be a string (or an array of one string), got " + JsonBody.describe(p));
        if (p.textValue().isEmpty()) throw ApiError.badRequest("\"prompt\" is empty; give text to continue");
        return p.textValue();
    }

    /** A string or an array of strings; Generation checks how many and that none is empty. */
    private static List<String> stop(JsonNode s) {
        if (s == null) return List.of();
        if (s.isTextual()) return List.of(s.textValue());
        if (!s.isArray()) throw ApiError.badRequest("\"stop\" must be a string or an array of strings, got " + JsonBody.describe(s));
        List<String> out = new ArrayList<>();
        for (JsonNode n : s) {
            if (!n.isTextual()) throw ApiError.badRequest("\"stop\" must hold strings, got " + JsonBody.describe(n));
            out.add(n.textValue());
        }
        return out;
    }

    private static boolean includeUsage(JsonNode root) {
        JsonNode options = JsonBody.field(root, "stream_options");
        if (options == null) return false;
        if (!options.isObject()) throw ApiError.badRequest("\"stream_options\" must be an object {\"include_usage\": true}, got " + JsonBody.describe(options));
        JsonBody.onlyFields(options, Set.of("include_usage"), "stream_options.");
        return JsonBody.bool(options, "include_usage", false);
    }

    private static Set<String> union(Set<String> fields, String... more) {
        Set<String> all = new java.util.HashSet<>(fields);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }
}

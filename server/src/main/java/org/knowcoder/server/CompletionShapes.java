package org.knowcoder.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.api.Completion;

import java.util.Locale;
import java.util.UUID;

/**
 * The OpenAI response objects of one completion: the whole answer ({@code text_completion},
 * {@code chat.completion}) or its stream's chunks ({@code text_completion} again,
 * {@code chat.completion.chunk}), all with the same id, creation time and model.
 */
final class CompletionShapes {
    private final boolean chat;
    private final String id, model;
    private final long created = System.currentTimeMillis() / 1000;

    CompletionShapes(boolean chat, String model) {
        this.chat = chat;
        this.model = model;
        this.id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    }

    /** The non-streamed answer. */
    ObjectNode whole(Completion c) {
        ObjectNode out = head(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) choice.putObject("message").put("role", "assistant").put("content", c.text());
        else choice.put("text", c.text()).putNull("logprobs");
        choice.put("finish_reason", finishReason(c));
        usage(out, c);
        return out;
    }

    /** The chunk that opens a chat stream (the assistant's role, no text yet); none for completions. */
    ObjectNode opening() {
        if (!chat) return null;
        ObjectNode choice = choice();
        choice.putObject("delta").put("role", "assistant").put("content", "");
        return chunk(choice.putNull("finish_reason"));
    }

    /** A chunk of streamed text. */
    ObjectNode piece(String text) {
        ObjectNode choice = choice();
        if (chat) choice.putObject("delta").put("content", text);
        else choice.put("text", text).putNull("logprobs");
        return chunk(choice.putNull("finish_reason"));
    }

    /** The chunk that ends the stream's text: no text, the finish reason. */
    ObjectNode finish(Completion c) {
        ObjectNode choice = choice();
        if (chat) choice.putObject("delta");
        else choice.put("text", "").putNull("logprobs");
        return chunk(choice.put("finish_reason", finishReason(c)));
    }

    /** The last chunk when the client asked for usage (stream_options.include_usage): no choices, the token counts. */
    ObjectNode usage(Completion c) {
        ObjectNode out = chunk(null);
        usage(out, c);
        return out;
    }

    private static ObjectNode choice() {
        return Exchanges.JSON.createObjectNode().put("index", 0);
    }

    /** A stream chunk holding {@code choice}, or no choice when null. */
    private ObjectNode chunk(ObjectNode choice) {
        ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
        var choices = out.putArray("choices");
        if (choice != null) choices.add(choice);
        return out;
    }

    private ObjectNode head(String object) {
        return Exchanges.JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private static void usage(ObjectNode out, Completion c) {
        out.putObject("usage").put("prompt_tokens", c.promptTokens()).put("completion_tokens", c.completionTokens())
                .put("total_tokens", c.promptTokens() + c.completionTokens());
    }

    private static String finishReason(Completion c) {
        return c.finish().name().toLowerCase(Locale.ROOT);
    }
}

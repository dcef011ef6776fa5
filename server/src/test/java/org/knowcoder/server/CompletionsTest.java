package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowcoder.api.Completion;
import org.knowcoder.api.Generation;
import org.knowcoder.api.KnowCoder;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.server.TestClient.JSON;
import static org.knowcoder.server.TestClient.error;
import static org.knowcoder.server.TestClient.events;
import static org.knowcoder.server.TestClient.metric;
import static org.knowcoder.server.TestClient.ok;
import static org.knowcoder.server.TestClient.request;
import static org.knowcoder.server.TestClient.send;

/**
 * The OpenAI-compatible endpoints in-process over a tiny random model: the answers' shapes, streams
 * parsed as a client parses them (whose text, concatenated, is the whole answer's under greedy
 * decoding), stop strings, seeds, chat as the concatenated messages, the bodies official client
 * libraries send, and a 400 naming the field for each malformed one.
 */
class CompletionsTest {
    private static final String KEY = "completion-key";
    private static final String PROMPT = "Once upon a time, Lily";

    private static ExtractionServer server;
    private static KnowCoder model;

    @BeforeAll
    static void start() throws Exception {
        server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, KEY, 8, Duration.ofSeconds(60), 16 << 10));
        model = TinyModel.load();
        server.ready(model, "stories", null);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return TestClient.post(server, path, KEY, body);
    }

    private static String completion(String fields) {
        return "{\"model\": \"stories\", \"prompt\": \"" + PROMPT + "\"" + fields + "}";
    }

    private static String chat(String fields) {
        return "{\"model\": \"stories\", \"messages\": [{\"role\": \"user\", \"content\": \"" + PROMPT + "\"}]" + fields + "}";
    }

    /** The text of a non-streamed answer. */
    private static String text(JsonNode answer) {
        JsonNode choice = answer.get("choices").get(0);
        return choice.has("message") ? choice.get("message").get("content").asText() : choice.get("text").asText();
    }

    /** The text of a stream, its pieces concatenated; checks every chunk's shape on the way. */
    private static String streamed(List<JsonNode> chunks, String object) {
        StringBuilder out = new StringBuilder();
        for (JsonNode c : chunks) {
            assertEquals(object, c.get("object").asText(), c::toString);
            if (c.get("choices").isEmpty()) continue; // the usage chunk
            JsonNode choice = c.get("choices").get(0);
            out.append(choice.has("delta") ? choice.get("delta").path("content").asText("") : choice.get("text").asText());
        }
        return out.toString();
    }

    private static void usageAddsUp(JsonNode usage, int maxTokens) {
        int prompt = usage.get("prompt_tokens").asInt(), completion = usage.get("completion_tokens").asInt();
        assertAll(() -> assertTrue(prompt > 1, "BOS and the prompt"), () -> assertTrue(completion >= 0 && completion <= maxTokens, usage::toString),
                () -> assertEquals(prompt + completion, usage.get("total_tokens").asInt()));
    }

    @Test
    void completionsAnswerInOpenAisShape() throws Exception {
        JsonNode a = ok(post("/v1/completions", completion(", \"max_tokens\": 12, \"temperature\": 0")));
        assertAll(() -> assertTrue(a.get("id").asText().startsWith("cmpl-")), () -> assertEquals("text_completion", a.get("object").asText()),
                () -> assertTrue(a.get("created").asLong() > 1_700_000_000L), () -> assertEquals("stories", a.get("model").asText()),
                () -> assertEquals(0, a.get("choices").get(0).get("index").asInt()),
                () -> assertTrue(List.of("stop", "length").contains(a.get("choices").get(0).get("finish_reason").asText())));
        usageAddsUp(a.get("usage"), 12);
        JsonNode c = ok(post("/v1/chat/completions", chat(", \"max_tokens\": 12, \"temperature\": 0")));
        assertAll(() -> assertTrue(c.get("id").asText().startsWith("chatcmpl-")), () -> assertEquals("chat.completion", c.get("object").asText()),
                () -> assertEquals("assistant", c.get("choices").get(0).get("message").get("role").asText()));
        usageAddsUp(c.get("usage"), 12);
        assertEquals(text(a), text(c), "one user message is the prompt as written");
        assertEquals(a.get("usage"), c.get("usage"));
    }

    @Test
    void aStreamConcatenatedIsTheWholeAnswer() throws Exception {
        for (boolean chat : new boolean[] {false, true}) {
            String path = chat ? "/v1/chat/completions" : "/v1/completions";
            String fields = ", \"max_tokens\": 40, \"temperature\": 0";
            JsonNode whole = ok(post(path, chat ? chat(fields) : completion(fields)));
            String streamFields = fields + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}";
            List<JsonNode> chunks = events(post(path, chat ? chat(streamFields) : completion(streamFields)));
            assertTrue(chunks.size() > 3, "a chunk a token piece: " + chunks);
            assertEquals(text(whole), streamed(chunks, chat ? "chat.completion.chunk" : "text_completion"), path);
            JsonNode finish = chunks.get(chunks.size() - 2), usage = chunks.getLast();
            assertEquals(whole.get("choices").get(0).get("finish_reason"), finish.get("choices").get(0).get("finish_reason"));
            assertEquals(whole.get("usage"), usage.get("usage"), "include_usage: the last chunk counts the tokens");
            if (chat) assertEquals("assistant", chunks.getFirst().get("choices").get(0).get("delta").get("role").asText());
        }
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws Exception {
        String full = text(ok(post("/v1/completions", completion(", \"max_tokens\": 40, \"temperature\": 0"))));
        assertTrue(full.length() > 10, "enough text to stop in: " + full);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        String expected = full.substring(0, full.indexOf(stop));
        String fields = ", \"max_tokens\": 40, \"temperature\": 0, \"stop\": [\"never there\", " + JSON.writeValueAsString(stop) + "]";
        JsonNode stopped = ok(post("/v1/completions", completion(fields)));
        assertEquals(expected, text(stopped));
        assertEquals("stop", stopped.get("choices").get(0).get("finish_reason").asText());
        assertEquals(expected, streamed(events(post("/v1/completions", completion(fields + ", \"stream\": true"))), "text_completion"),
                "the stream holds back what may be a stop string");
    }

    @Test
    void aSeedReproducesASample() throws Exception {
        String seeded = completion(", \"max_tokens\": 24, \"temperature\": 1, \"top_p\": 0.9, \"seed\": 7");
        String first = text(ok(post("/v1/completions", seeded)));
        assertEquals(first, text(ok(post("/v1/completions", seeded))));
        assertNotEquals(first, text(ok(post("/v1/completions", completion(", \"max_tokens\": 24, \"temperature\": 1, \"top_p\": 0.9, \"seed\": 8")))),
                "another seed, another sample");
    }

    @Test
    void takesTheBodiesOfficialClientsSend() throws Exception {
        // the openai Python client's chat body with its defaults spelt out, and content as parts
        JsonNode c = ok(post("/v1/chat/completions", "{\"messages\": [{\"role\": \"system\", \"content\": \"Stories.\"}, {\"role\": \"user\", \"content\": "
                + "[{\"type\": \"text\", \"text\": \"" + PROMPT + "\"}]}], \"model\": \"gpt-4o-mini\", \"max_completion_tokens\": 5, \"n\": 1, "
                + "\"temperature\": 0, \"top_p\": null, \"presence_penalty\": 0, \"frequency_penalty\": 0, \"stop\": null, \"seed\": null, \"stream\": false, \"user\": \"u1\"}"));
        assertEquals("stories", c.get("model").asText(), "the served model answers");
        usageAddsUp(c.get("usage"), 5);
        JsonNode joined = ok(post("/v1/completions", "{\"prompt\": \"Stories.\\n" + PROMPT + "\", \"max_tokens\": 5, \"temperature\": 0}"));
        assertEquals(text(joined), text(c), "system and user content joined line by line");
        assertEquals(joined.get("usage"), c.get("usage"));
        ok(post("/v1/completions", "{\"model\": \"davinci-002\", \"prompt\": [\"" + PROMPT + "\"], \"max_tokens\": 3}"));
    }

    @Test
    void countsTokensAndBatchOccupancyInMetrics() throws Exception {
        String before = TestClient.get(server, "/metrics", KEY).body();
        JsonNode usage = ok(post("/v1/completions", completion(", \"max_tokens\": 10, \"temperature\": 0"))).get("usage");
        String after = TestClient.get(server, "/metrics", KEY).body();
        assertEquals(usage.get("prompt_tokens").asLong(), metric(after, "knowcoder_prompt_tokens_total") - metric(before, "knowcoder_prompt_tokens_total"));
        long generated = metric(after, "knowcoder_generated_tokens_total") - metric(before, "knowcoder_generated_tokens_total");
        long completion = usage.get("completion_tokens").asLong();
        assertTrue(generated == completion || generated == completion + 1, "the tokens generated, and EOS if it ended the text: " + generated);
        // four prompts submitted together share decode steps
        List<CompletableFuture<Completion>> together = new ArrayList<>();
        for (int i = 0; i < 4; i++) together.add(model.complete(PROMPT + i, Generation.greedy(30), null));
        together.forEach(CompletableFuture::join);
        String metrics = TestClient.get(server, "/metrics", KEY).body();
        long steps = metric(metrics, "knowcoder_batch_occupancy_count"), sequences = metric(metrics, "knowcoder_batch_occupancy_sum");
        assertTrue(sequences > steps, "some step decoded several sequences:\n" + metrics);
        assertEquals(steps, metric(metrics, "knowcoder_batch_occupancy_bucket{le=\"4\"}"), "a step decodes at most the batch");
        assertTrue(metric(metrics, "knowcoder_batch_occupancy_bucket{le=\"1\"}") < steps);
        assertEquals(4, metric(metrics, "knowcoder_batch_slots"));
        // the last answer is out a moment before its step ends
        assertTrue(TestClient.metricsHolding(server, KEY, List.of("knowcoder_batch_active_sequences 0")).contains("knowcoder_batch_active_sequences 0"));
    }

    @Test
    void needsTheApiKey() throws Exception {
        for (String path : List.of("/v1/completions", "/v1/chat/completions")) {
            error(401, send(request(server, path, null).POST(HttpRequest.BodyPublishers.ofString(completion("")))), path + " without a key");
        }
    }

    @Test
    void malformedRequestsGetA400NamingTheField() throws Exception {
        String[][] completions = {
                {"not json", "JSON"}, {"[]", "object"}, {"{}", "prompt"}, {"{\"prompt\": 3}", "prompt"}, {"{\"prompt\": \"\"}", "prompt"},
                {"{\"prompt\": [\"a\", \"b\"]}", "prompt"}, {completion(", \"max_tokens\": -1"), "max_tokens"}, {completion(", \"max_tokens\": 0"), "max_tokens"},
                {completion(", \"max_tokens\": \"5\""), "max_tokens"}, {completion(", \"max_tokens\": 2.5"), "max_tokens"},
                {completion(", \"temperature\": 3"), "temperature"}, {completion(", \"temperature\": \"hot\""), "temperature"},
                {completion(", \"top_p\": 0"), "top_p"}, {completion(", \"top_p\": 1.5"), "top_p"}, {completion(", \"stop\": 5"), "stop"},
                {completion(", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]"), "stop"}, {completion(", \"stop\": [\"\"]"), "stop"},
                {completion(", \"stop\": [1]"), "stop"}, {completion(", \"seed\": \"x\""), "seed"}, {completion(", \"seed\": 1.5"), "seed"},
                {completion(", \"stream\": \"yes\""), "stream"}, {completion(", \"n\": 2"), "n"}, {completion(", \"presence_penalty\": 1"), "presence_penalty"},
                {completion(", \"stream_options\": true"), "stream_options"}, {completion(", \"stream_options\": {\"x\": 1}"), "stream_options.x"},
                {completion(", \"model\": 4"), "model"}, {completion(", \"messages\": []"), "messages"}, {completion(", \"echo\": true"), "echo"},
                {"{\"prompt\": \"" + "Lily ran. ".repeat(300) + "\"}", "prompt"},
        };
        for (String[] c : completions) badField(post("/v1/completions", c[0]), c[1], c[0]);
        String[][] chats = {
                {"{}", "messages"}, {"{\"messages\": []}", "messages"}, {"{\"messages\": \"hi\"}", "messages"}, {"{\"messages\": [\"hi\"]}", "messages[0]"},
                {"{\"messages\": [{\"content\": \"hi\"}]}", "messages[0].role"}, {"{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}", "messages[0].role"},
                {"{\"messages\": [{\"role\": \"user\"}]}", "messages[0].content"}, {"{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", "messages[0].content"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "messages[0].content[0].type"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"hi\", \"mood\": \"glad\"}]}", "messages[0].mood"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": \"\"}]}", "messages"}, {chat(", \"prompt\": \"x\""), "prompt"},
                {chat(", \"max_completion_tokens\": -5"), "max_tokens"},
        };
        for (String[] c : chats) badField(post("/v1/chat/completions", c[0]), c[1], c[0]);
        error(405, TestClient.get(server, "/v1/completions", KEY), "GET on completions");
        ok(post("/v1/completions", completion(", \"max_tokens\": 2")));
    }

    /** A 400 whose message names the field. */
    private static void badField(HttpResponse<String> r, String field, String body) throws IOException {
        String what = body.length() > 80 ? body.substring(0, 80) : body;
        error(400, r, what);
        String message = JSON.readTree(r.body()).get("error").get("message").asText();
        assertTrue(message.contains(field), () -> what + ": the message names " + field + ": " + message);
    }
}

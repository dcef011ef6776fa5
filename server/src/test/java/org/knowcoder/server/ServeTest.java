package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.server.TestClient.CLIENT;
import static org.knowcoder.server.TestClient.error;
import static org.knowcoder.server.TestClient.get;
import static org.knowcoder.server.TestClient.ok;
import static org.knowcoder.server.TestClient.request;
import static org.knowcoder.server.TestClient.send;

/**
 * The server in-process on a free loopback port over a tiny random model: every endpoint, the API
 * key, the limits (413, 429, 504), a list of malformed requests that each get a 4xx JSON error while
 * the server keeps serving, and a stop that lets the request in flight finish.
 */
class ServeTest {
    private static final String KEY = "secret-key";

    private static ExtractionServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, KEY, 1, Duration.ofSeconds(60), 16 << 10));
        assertEquals(503, get(server, "/health", null).statusCode(), "not ready before the model is loaded");
        assertEquals(503, post(server, "/v1/extract", "{\"text\": \"Ann.\", \"types\": [\"Person\"]}").statusCode());
        server.ready(TinyModel.load(), "stories", null);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static HttpResponse<String> post(ExtractionServer s, String path, String body) throws IOException, InterruptedException {
        return TestClient.post(s, path, KEY, body);
    }

    /** Every span's offsets slice its text out of the input's text. */
    private static void offsetsHold(JsonNode result) {
        String text = result.get("text").asText();
        for (JsonNode e : result.get("entities")) assertEquals(e.get("text").asText(), text.substring(e.get("start").asInt(), e.get("end").asInt()));
    }

    @Test
    void extractsOneTextOrSeveral() throws Exception {
        JsonNode one = ok(post(server, "/v1/extract", "{\"text\": \"Ann works for Acme in Paris.\", \"types\": [\"Person\", \"Location\"]}"));
        assertAll(() -> assertEquals("1", one.get("id").asText()), () -> assertEquals("Ann works for Acme in Paris.", one.get("text").asText()),
                () -> assertTrue(one.get("relations").isArray() && one.get("events").isArray()), () -> assertFalse(one.has("raw")));
        offsetsHold(one);
        JsonNode many = ok(post(server, "/v1/extract", "{\"texts\": [\"Lily saw a cat.\", \"Tom went home.\"], \"types\": [\"Person\"], \"task\": \"ner\", \"raw\": true}"));
        assertEquals(2, many.size());
        assertEquals("Tom went home.", many.get(1).get("text").asText());
        assertEquals("2", many.get(1).get("id").asText());
        assertTrue(many.get(0).has("raw"), "raw asked for");
        many.forEach(ServeTest::offsetsHold);
        JsonNode schema = ok(post(server, "/v1/extract", "{\"text\": \"Ann works for Acme.\", \"schema\": [{\"name\": \"Person\", \"description\": \"a human\"},"
                + " {\"name\": \"WorkFor\", \"kind\": \"relation\", \"head\": \"Person\", \"tail\": \"Organization\"}]}"));
        offsetsHold(schema);
    }

    @Test
    void listsTheModelAndServesThePage() throws Exception {
        JsonNode models = ok(get(server, "/v1/models", KEY));
        assertEquals("stories", models.get("data").get(0).get("id").asText());
        HttpResponse<String> page = get(server, "/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("v1/extract") && page.body().contains("createElement(\"mark\")"), "the page calls the API and highlights");
        assertFalse(page.body().matches("(?s).*(src|href)=\"?(https?:)?//.*"), "no external scripts, styles or fonts");
        assertEquals(200, get(server, "/health", null).statusCode());
    }

    @Test
    void countsRequestsInMetrics() throws Exception {
        ok(post(server, "/v1/extract", "{\"text\": \"Bob lives in Rome.\", \"types\": [\"Person\"]}"));
        get(server, "/nowhere", KEY);
        List<String> expected = List.of("knowcoder_requests_total{endpoint=\"/v1/extract\",status=\"200\"}",
                "knowcoder_requests_total{endpoint=\"other\",status=\"404\"}",
                "knowcoder_request_duration_seconds_bucket{endpoint=\"/v1/extract\",le=\"+Inf\"}", "knowcoder_queue_depth ");
        // a request is counted as its exchange closes, just after the client has its answer: scrape until it shows
        String scraped = TestClient.metricsHolding(server, KEY, expected);
        assertAll(expected.stream().map(e -> (Executable) () -> assertTrue(scraped.contains(e), e + " in\n" + scraped)));
    }

    @Test
    void needsTheApiKeyButForHealth() throws Exception {
        for (String path : List.of("/v1/models", "/metrics")) {
            error(401, get(server, path, null), path + " without a key");
            error(401, get(server, path, "wrong"), path + " with a wrong key");
        }
        error(401, send(request(server, "/v1/extract", null).POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"Ann.\"}"))), "extract without a key");
        assertEquals(200, get(server, "/health", null).statusCode());
    }

    @Test
    void malformedRequestsGetA4xxAndTheServerGoesOn() throws Exception {
        String[][] bodies = {
                {"400", "not json"}, {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"]"}, {"400", "[\"Ann.\"]"}, {"400", "\"Ann.\""},
                {"400", "null"}, {"400", ""}, {"400", "{}"}, {"400", "{\"types\": [\"Person\"]}"},
                {"400", "{\"text\": \"\", \"types\": [\"Person\"]}"}, {"400", "{\"text\": \"   \", \"types\": [\"Person\"]}"},
                {"400", "{\"text\": 42, \"types\": [\"Person\"]}"}, {"400", "{\"text\": [\"Ann.\"], \"types\": [\"Person\"]}"},
                {"400", "{\"texts\": [], \"types\": [\"Person\"]}"}, {"400", "{\"texts\": \"Ann.\", \"types\": [\"Person\"]}"},
                {"400", "{\"texts\": [\"Ann.\", 7], \"types\": [\"Person\"]}"}, {"400", "{\"text\": \"Ann.\", \"texts\": [\"Bob.\"], \"types\": [\"Person\"]}"},
                {"400", "{\"text\": \"Ann.\"}"}, {"400", "{\"text\": \"Ann.\", \"types\": []}"}, {"400", "{\"text\": \"Ann.\", \"types\": \"Person\"}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"\"]}"}, {"400", "{\"text\": \"Ann.\", \"types\": [1]}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"], \"schema\": [{\"name\": \"Person\"}]}"},
                {"400", "{\"text\": \"Ann.\", \"schema\": \"Person\"}"}, {"400", "{\"text\": \"Ann.\", \"schema\": []}"},
                {"400", "{\"text\": \"Ann.\", \"schema\": [{\"kind\": \"entity\"}]}"}, {"400", "{\"text\": \"Ann.\", \"schema\": [{\"name\": \"X\", \"kind\": \"thing\"}]}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"], \"task\": \"summarize\"}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"], \"task\": \"re\"}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"], \"task\": 3}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"], \"raw\": \"yes\"}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"], \"model\": \"gpt-4\"}"},
                {"400", "{\"text\": \"Ann.\", \"text\": \"Bob.\", \"types\": [\"Person\"]}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Person\"]} {}"},
                {"400", "{\"text\": {\"body\": \"Ann.\"}, \"types\": [\"Person\"]}"}, {"400", "{\"texts\": [\"Ann.\", \"\"], \"types\": [\"Person\"]}"},
                {"400", "{\"text\": \"Ann.\", \"types\": [\"Per son\"]}"}, {"400", "{\"text\": \"Ann.\", \"types\": [\"class\"]}"},
                {"400", "{\"text\": \"Ann.\", \"schema\": [{\"name\": \"Person\"}, {\"name\": \"Person\"}]}"},
                {"413", "{\"text\": \"" + "a".repeat(20 << 10) + "\", \"types\": [\"Person\"]}"},
        };
        for (String[] b : bodies) error(Integer.parseInt(b[0]), post(server, "/v1/extract", b[1]), b[1].length() > 80 ? b[1].substring(0, 80) : b[1]);
        byte[] latin1 = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xe9, '"', '}'};
        error(400, send(request(server, "/v1/extract", KEY).POST(HttpRequest.BodyPublishers.ofByteArray(latin1))), "not UTF-8");
        error(401, send(request(server, "/v1/extract", null).header("Authorization", "Basic " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"Ann.\"}"))), "another auth scheme");
        error(405, get(server, "/v1/extract", KEY), "GET on extract");
        error(405, send(request(server, "/health", KEY).POST(HttpRequest.BodyPublishers.ofString("{}"))), "POST on health");
        error(404, get(server, "/v1/nothing", KEY), "unknown path");
        error(404, get(server, "/../etc/passwd", KEY), "a path out of the root");
        ok(post(server, "/v1/extract", "{\"text\": \"Ann works for Acme.\", \"types\": [\"Person\"]}"));
    }

    @Test
    void aFullQueueGets429WithRetryAfter() throws Exception {
        // --max-queue 1: while a long request is admitted, the next is refused at once
        String texts = String.join(", ", Collections.nCopies(60, "\"Lily saw a big cat in the park.\""));
        for (int attempt = 0; attempt < 5; attempt++) {
            CompletableFuture<HttpResponse<String>> first = CLIENT.sendAsync(request(server, "/v1/extract", KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [" + texts + "], \"types\": [\"Person\"]}")).build(), HttpResponse.BodyHandlers.ofString());
            while (!first.isDone() && !get(server, "/metrics", KEY).body().contains("knowcoder_queue_depth 1")) Thread.sleep(5);
            HttpResponse<String> second = post(server, "/v1/extract", "{\"text\": \"Ann.\", \"types\": [\"Person\"]}");
            boolean overlapped = !first.isDone();
            assertEquals(200, first.join().statusCode(), first.join()::body);
            if (!overlapped) continue;
            error(429, second, "a second request while the queue is full");
            assertEquals("1", second.headers().firstValue("Retry-After").orElse(""));
            return;
        }
        throw new AssertionError("the long request never overlapped the short one");
    }

    @Test
    void aSlowRequestTimesOutAndAStopDrainsTheOneInFlight() throws Exception {
        try (ExtractionServer quick = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, 8, Duration.ofMillis(1), 64 << 10))) {
            // distinct texts of a hundred tokens, each one sentence (a sentence is a prompt), on the wider model: each prompt is a
            // long prefill, so the request cannot be done within the timeout; 50 copies of one short sentence on the tiny model,
            // whose prompts share all but a token, could be done by the time a loaded machine's request thread had submitted them
            quick.ready(TinyModel.loadWider(), "stories", null);
            String many = String.join(", ", java.util.stream.IntStream.range(0, 50)
                    .mapToObj(i -> "\"" + ("Lily saw a big cat in the park number " + i + " and ").repeat(8) + "ran home.\"").toList());
            error(504, post(quick, "/v1/extract", "{\"texts\": [" + many + "], \"types\": [\"Person\"]}"), "past the timeout");
        }
        ExtractionServer draining = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, 8, Duration.ofSeconds(60), 64 << 10));
        draining.ready(TinyModel.load(), "stories", null);
        String many = String.join(", ", Collections.nCopies(100, "\"Lily saw a big cat in the park.\""));
        CompletableFuture<HttpResponse<String>> inFlight = CLIENT.sendAsync(request(draining, "/v1/extract", null)
                .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [" + many + "], \"types\": [\"Person\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        while (!inFlight.isDone() && !get(draining, "/metrics", null).body().contains("knowcoder_queue_depth 1")) Thread.sleep(5);
        draining.close();
        JsonNode results = ok(inFlight.join());
        assertEquals(100, results.size(), "the request in flight finished");
        List<Throwable> refused = new ArrayList<>();
        try {
            get(draining, "/health", null);
        } catch (IOException e) {
            refused.add(e);
        }
        assertEquals(1, refused.size(), "a stopped server accepts nothing");
    }
}

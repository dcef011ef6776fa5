package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's tests' HTTP client: requests with or without the API key, and checks of what comes back. */
final class TestClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    private TestClient() {}

    static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request to the server's path, with {@code Authorization: Bearer key} unless the key is null. */
    static HttpRequest.Builder request(ExtractionServer s, String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + path));
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    static HttpResponse<String> get(ExtractionServer s, String path, String key) throws IOException, InterruptedException {
        return send(request(s, path, key).GET());
    }

    static HttpResponse<String> post(ExtractionServer s, String path, String key, String body) throws IOException, InterruptedException {
        return send(request(s, path, key).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static JsonNode ok(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r::body);
        return JSON.readTree(r.body());
    }

    /** A response of the given status whose body is {"error": {"message", "type"}}. */
    static void error(int status, HttpResponse<String> r, String what) throws IOException {
        assertEquals(status, r.statusCode(), () -> what + ": " + r.body());
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertTrue(e != null && !e.path("message").asText().isEmpty() && !e.path("type").asText().isEmpty(), () -> what + ": " + r.body());
    }

    /**
     * A server-sent event stream's data as a client reads it: every event a {@code data: } line and a
     * blank line, the last one {@code [DONE]} (checked, and left out of the events returned).
     */
    static List<JsonNode> events(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r::body);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), () -> r.headers().toString());
        String[] blocks = r.body().split("\n\n", -1);
        assertEquals("", blocks[blocks.length - 1], "the stream ends with a blank line");
        assertEquals("data: [DONE]", blocks[blocks.length - 2], "the stream ends with [DONE]");
        List<JsonNode> events = new ArrayList<>();
        for (int i = 0; i < blocks.length - 2; i++) {
            assertTrue(blocks[i].startsWith("data: ") && !blocks[i].contains("\n"), "one data line an event: " + blocks[i]);
            events.add(JSON.readTree(blocks[i].substring("data: ".length())));
        }
        return events;
    }

    /** The value of the sample {@code name} (labels included, as written) in Prometheus text; an assertion error when absent. */
    static long metric(String metrics, String name) {
        for (String line : metrics.split("\n")) if (line.startsWith(name + " ")) return Long.parseLong(line.substring(name.length() + 1).trim());
        throw new AssertionError(name + " not in\n" + metrics);
    }

    /** Polls the server's /metrics until it holds every one of {@code expected} (5 s at most); returns the last scrape. */
    static String metricsHolding(ExtractionServer s, String key, List<String> expected) throws IOException, InterruptedException {
        String metrics = get(s, "/metrics", key).body();
        for (long deadline = System.nanoTime() + 5_000_000_000L; !expected.stream().allMatch(metrics::contains) && System.nanoTime() < deadline; ) {
            Thread.sleep(10);
            metrics = get(s, "/metrics", key).body();
        }
        return metrics;
    }
}

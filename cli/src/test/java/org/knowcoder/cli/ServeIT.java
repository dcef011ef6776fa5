package org.knowcoder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code serve} as users run it: the built jar on a free loopback port over a random model in
 * stories260K's shape (no ../shared needed). Every endpoint once, a stream read line by line as a
 * client reads it, the request an official OpenAI client library sends (its headers and body), and
 * SIGTERM while requests are in flight: each admitted request is answered in full or with an error,
 * and the process exits 0. (The endpoints in depth: module server's tests, in-process.)
 */
class ServeIT {
    private static final String KEY = "it-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** HTTP/1.1, as the official clients (httpx, node-fetch) speak it. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The server's own timeout: past it, a request is answered 504 (or a stream an error event) by the server itself. */
    private static final int TIMEOUT_S = 60;
    /** Longer than the server's timeout: a request unanswered by then is a hang. */
    private static final Duration ANSWER = Duration.ofSeconds(3L * TIMEOUT_S);

    private static ServeProcess serve() throws Exception {
        return ServeProcess.start("--model", OwnModels.stories(), "--tokenizer", OwnModels.storiesTokenizer(), "--api-key", KEY,
                "--threads", "1", "--max-batch", "4", "--max-new-tokens", "48", "--timeout", TIMEOUT_S);
    }

    private static HttpRequest.Builder request(ServeProcess s, String path, boolean key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.url().resolve(path)).timeout(ANSWER);
        return key ? b.header("Authorization", "Bearer " + KEY) : b;
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(ServeProcess s, String path, String body) throws IOException, InterruptedException {
        return send(request(s, path, true).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static JsonNode ok(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), () -> r.uri() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void servesEveryEndpoint() throws Exception {
        try (ServeProcess s = serve()) {
            assertEquals("127.0.0.1", s.url().getHost(), "loopback unless --host says otherwise");
            assertEquals("ok", ok(send(request(s, "/health", false).GET())).get("status").asText());
            HttpResponse<String> page = send(request(s, "/", false).GET());
            assertAll(() -> assertEquals(200, page.statusCode()), () -> assertTrue(page.body().contains("KnowCoder playground")));
            assertEquals("stories.bin", ok(send(request(s, "/v1/models", true).GET())).get("data").get(0).get("id").asText());
            HttpResponse<String> denied = send(request(s, "/v1/models", false).GET());
            assertAll(() -> assertEquals(401, denied.statusCode()), () -> assertTrue(JSON.readTree(denied.body()).get("error").has("type")));

            String text = "Ann works for Acme in Paris.";
            JsonNode one = ok(post(s, "/v1/extract", "{\"text\": \"" + text + "\", \"types\": [\"Person\", \"Location\"]}"));
            assertEquals(text, one.get("text").asText());
            for (JsonNode e : one.get("entities")) assertEquals(e.get("text").asText(), text.substring(e.get("start").asInt(), e.get("end").asInt()));
            assertEquals(2, ok(post(s, "/v1/extract", "{\"texts\": [\"Ann met Bob.\", \"Bob went home.\"], \"types\": [\"Person\"]}")).size());

            JsonNode completion = ok(post(s, "/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 8, \"temperature\": 0}"));
            assertEquals("text_completion", completion.get("object").asText());
            JsonNode chat = ok(post(s, "/v1/chat/completions", "{\"model\": \"any\", \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}], \"max_tokens\": 8, \"temperature\": 0}"));
            assertEquals("chat.completion", chat.get("object").asText());
            String whole = chat.get("choices").get(0).get("message").get("content").asText();

            List<JsonNode> chunks = officialClientStream(s);
            StringBuilder streamed = new StringBuilder();
            for (JsonNode c : chunks) if (!c.get("choices").isEmpty()) streamed.append(c.get("choices").get(0).get("delta").path("content").asText(""));
            assertEquals(whole, streamed.toString(), "the stream's pieces are the whole answer's text");
            assertEquals(chat.get("usage"), chunks.getLast().get("usage"), "include_usage: the last chunk counts the tokens");

            String metrics = send(request(s, "/metrics", true).GET()).body();
            for (String endpoint : List.of("/v1/extract", "/v1/completions", "/v1/chat/completions", "/v1/models", "/health", "/")) {
                assertTrue(metrics.contains("knowcoder_requests_total{endpoint=\"" + endpoint + "\",status=\"200\"}"), endpoint + " counted:\n" + metrics);
            }
            assertEquals(0, s.terminate(ANSWER.toSeconds()), s::err);
            assertTrue(s.err().contains("serve: stopped"), s::err);
        }
    }

    /**
     * A streamed chat completion as the openai Python client (httpx) sends it: its headers, its body
     * with the model the caller named, read as its SSE decoder reads: line by line as the lines come,
     * an event's data ending at a blank line, comments skipped, [DONE] the end.
     */
    private static List<JsonNode> officialClientStream(ServeProcess s) throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"model\":\"gpt-4o-mini\",\"max_tokens\":8,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"temperature\":0}";
        HttpRequest r = request(s, "/v1/chat/completions", true).header("Content-Type", "application/json").header("Accept", "application/json")
                .header("User-Agent", "OpenAI/Python 1.109.1").header("X-Stainless-Lang", "python").header("X-Stainless-Package-Version", "1.109.1")
                .header("X-Stainless-OS", "Linux").header("X-Stainless-Arch", "x64").header("X-Stainless-Runtime", "CPython")
                .header("X-Stainless-Runtime-Version", "3.12.3").header("X-Stainless-Retry-Count", "0").header("X-Stainless-Read-Timeout", "600")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<Stream<String>> response = CLIENT.send(r, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), response.headers()::toString);
        List<JsonNode> chunks = new ArrayList<>();
        boolean done = false;
        try (Stream<String> lines = response.body()) {
            StringBuilder data = new StringBuilder();
            for (Iterator<String> it = lines.iterator(); it.hasNext() && !done; ) {
                String line = it.next();
                if (line.startsWith(":")) continue;
                if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                } else if (line.isEmpty() && !data.isEmpty()) {
                    if (data.toString().equals("[DONE]")) done = true;
                    else chunks.add(JSON.readTree(data.toString()));
                    data.setLength(0);
                }
            }
        }
        assertTrue(done, "the stream ends with [DONE]");
        assertFalse(chunks.isEmpty());
        for (JsonNode c : chunks) assertEquals("chat.completion.chunk", c.get("object").asText(), c::toString);
        return chunks;
    }

    @Test
    void sigtermDuringLoadAnswersEveryAdmittedRequestAndExits0() throws Exception {
        int clients = 8;
        try (ServeProcess s = serve()) {
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String body = "{\"prompt\": \"Once upon a time " + c + "\", \"max_tokens\": 64, \"temperature\": 0, \"stream\": " + (c % 2 == 0) + "}";
                inFlight.add(CLIENT.sendAsync(request(s, "/v1/completions", true).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // every request admitted (four decoding, the rest waiting for a slot) before the signal
            waitForQueueDepth(s, clients, inFlight);
            assertEquals(0, s.terminate(ANSWER.toSeconds()), s::err);
            int answered = 0, failed = 0;
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.join(); // a connection cut before an answer fails here
                if (r.statusCode() == 200 && r.body().startsWith("data: ")) {
                    assertTrue(r.body().endsWith("data: [DONE]\n\n") || r.body().contains("\"error\""), "a stream ends or says why: " + r.body());
                    answered++;
                } else if (r.statusCode() == 200) {
                    assertEquals("text_completion", JSON.readTree(r.body()).get("object").asText());
                    answered++;
                } else {
                    // past the server's timeout on a loaded machine: an error, said as one
                    assertTrue(r.statusCode() >= 400 && JSON.readTree(r.body()).get("error").has("message"), r::body);
                    failed++;
                }
            }
            System.out.printf("SIGTERM with %d requests admitted: %d answered in full, %d answered an error; exit 0%n", clients, answered, failed);
            assertTrue(s.err().contains("serve: stopped"), s::err);
        }
    }

    /** Scrapes /metrics until the queue holds {@code depth} requests; fails if one was answered first (the test would then prove less). */
    private static void waitForQueueDepth(ServeProcess s, int depth, List<CompletableFuture<HttpResponse<String>>> requests) throws Exception {
        for (long deadline = System.nanoTime() + ANSWER.toNanos(); ; Thread.sleep(20)) {
            String metrics = send(request(s, "/metrics", true).GET()).body();
            if (metrics.contains("\nknowcoder_queue_depth " + depth + "\n")) return;
            assertFalse(requests.stream().anyMatch(CompletableFuture::isDone), "a request was answered before all were admitted");
            if (System.nanoTime() > deadline) throw new AssertionError("the queue never held " + depth + ":\n" + metrics);
        }
    }
}

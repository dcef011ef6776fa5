package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.server.TestClient.CLIENT;
import static org.knowcoder.server.TestClient.error;
import static org.knowcoder.server.TestClient.ok;

/**
 * The server under concurrent clients, in-process over a tiny random model (seconds, not a
 * benchmark): 32 clients at once each get their own prompt's answer, the one a client alone gets;
 * and 500 clients at once, far past the admission limit, get 200s or 429s with Retry-After, never
 * another status nor a hang, while /health answers throughout and the server serves on afterwards.
 */
class LoadTest {
    private static final int CLIENTS = 32;
    /** How long an overloaded server may take to answer before the request counts as a hang (it answers 429s at once). */
    private static final Duration HANG = Duration.ofSeconds(60);

    private static String body(int client, boolean stream) {
        return "{\"prompt\": \"Lily and Tom went to the park number " + client + "\", \"max_tokens\": 24, \"temperature\": 0, \"stream\": " + stream + "}";
    }

    private static String text(HttpResponse<String> r) throws Exception {
        return ok(r).get("choices").get(0).get("text").asText();
    }

    @Test
    void concurrentClientsEachGetTheirOwnAnswer() throws Exception {
        try (ExtractionServer server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, 64, Duration.ofSeconds(60), 16 << 10))) {
            server.ready(TinyModel.load(), "stories", null);
            List<String> alone = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) alone.add(text(TestClient.post(server, "/v1/completions", null, body(c, false))));
            // every client on a thread of its own, half of them streaming, all released at once
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> answers = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    answers.add(clients.submit(() -> client % 2 == 0 ? text(TestClient.post(server, "/v1/completions", null, body(client, false)))
                            : streamedText(TestClient.post(server, "/v1/completions", null, body(client, true)))));
                }
                for (int c = 0; c < CLIENTS; c++) assertEquals(alone.get(c), answers.get(c).get(), "client " + c + " got its own prompt's answer");
            }
            // a request is counted as its exchange closes, just after the client has its answer
            String answered = "knowcoder_requests_total{endpoint=\"/v1/completions\",status=\"200\"} " + 2 * CLIENTS;
            String metrics = TestClient.metricsHolding(server, null, List.of(answered));
            assertTrue(metrics.contains(answered), metrics);
            assertTrue(TestClient.metric(metrics, "knowcoder_batch_occupancy_sum") > TestClient.metric(metrics, "knowcoder_batch_occupancy_count"),
                    "the concurrent clients shared decode steps");
        }
    }

    private static String streamedText(HttpResponse<String> r) throws Exception {
        StringBuilder out = new StringBuilder();
        for (JsonNode chunk : TestClient.events(r)) out.append(chunk.get("choices").get(0).get("text").asText());
        return out.toString();
    }

    @Test
    void fiveHundredClientsAtOnceGet200Or429AndHealthAnswersThroughout() throws Exception {
        int maxQueue = 8, clients = 500;
        try (ExtractionServer server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, maxQueue, Duration.ofSeconds(60), 16 << 10))) {
            server.ready(TinyModel.load(), "stories", null);
            String longer = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 200, \"temperature\": 0}";
            HealthProbe health = HealthProbe.start(server);
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                boolean extract = c % 3 == 0;
                all.add(CLIENT.sendAsync(TestClient.request(server, extract ? "/v1/extract" : "/v1/completions", null).timeout(HANG)
                        .POST(HttpRequest.BodyPublishers.ofString(extract ? "{\"text\": \"Ann met Bob in Rome.\", \"types\": [\"Person\"]}" : longer)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0, refused = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.join(); // an HttpTimeoutException here is a hang
                if (r.statusCode() == 200) {
                    ok++;
                    continue;
                }
                error(429, r, "an answer under overload is a 200 or a 429");
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), "a 429 says when to retry");
                assertEquals("close", r.headers().firstValue("Connection").orElse(""), "a 429 closes its connection");
                refused++;
            }
            List<Integer> checks = health.stop();
            assertTrue(ok >= 1 && refused >= 1, ok + " answered, " + refused + " refused");
            assertTrue(checks.size() >= 3 && checks.stream().allMatch(s -> s == 200), "/health answered 200 throughout the flood: " + checks);
            JsonNode after = ok(TestClient.post(server, "/v1/completions", null, longer));
            assertEquals("text_completion", after.get("object").asText(), "the server serves on after the overload");
            assertTrue(TestClient.metricsHolding(server, null, List.of("knowcoder_queue_depth 0")).contains("knowcoder_queue_depth 0"), "every admission released");
        }
    }

    /** GET /health over and over on a thread of its own, each answer within seconds, until stopped: the statuses. */
    private static final class HealthProbe {
        private final List<Integer> statuses = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;
        private Thread thread;

        static HealthProbe start(ExtractionServer server) {
            HealthProbe p = new HealthProbe();
            p.thread = Thread.ofVirtual().start(() -> {
                while (p.running) {
                    try {
                        // a loaded machine answers in milliseconds; ten seconds is a hang
                        p.statuses.add(TestClient.send(TestClient.request(server, "/health", null).timeout(Duration.ofSeconds(10)).GET()).statusCode());
                        Thread.sleep(20);
                    } catch (Exception e) {
                        p.statuses.add(-1);
                    }
                }
            });
            return p;
        }

        List<Integer> stop() throws InterruptedException {
            running = false;
            thread.join();
            return statuses;
        }
    }
}

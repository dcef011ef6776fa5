package org.knowcoder.server;

import org.junit.jupiter.api.Test;
import org.knowcoder.api.Completion;
import org.knowcoder.api.Generation;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Schema;
import org.knowcoder.model.session.DecoderLoad;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.knowcoder.server.TestClient.error;

/**
 * A request given up (cancelled, its client gone mid-stream, past its timeout) leaves the batch at
 * the decoder's next step: the active sequences drop, the tokens stop, and the slot serves the next
 * request. On a small random model, slow enough for a test to act mid-answer, whose greedy answer
 * to {@link #PROMPT} runs long.
 */
class CancelTest {
    private static final String PROMPT = "Once upon a time, Lily";
    /** Most of the context: the longer the answer, the later a loaded machine may notice a cancel and still stop short of its end. */
    private static final int LONG = 480;

    /** The greedy answer's length in tokens (the same from every instance of the model), once. */
    private static int full;

    /** The greedy answer's length, checked to be long enough that a cancel shows. */
    private static synchronized int fullLength(KnowCoder kc) {
        if (full == 0) full = kc.complete(PROMPT, Generation.greedy(LONG), null).join().completionTokens();
        assertTrue(full >= LONG * 3 / 4, "the uncancelled answer runs long: " + full + " tokens");
        return full;
    }

    /** A server of {@code kc} (which it closes) with the given request timeout. */
    private static ExtractionServer serving(KnowCoder kc, Duration timeout) throws IOException {
        ExtractionServer server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, 8, timeout, 16 << 10));
        server.ready(kc, "stories", null);
        return server;
    }

    private static void waitUntil(BooleanSupplier done, String what) throws InterruptedException {
        for (long deadline = System.nanoTime() + 20_000_000_000L; !done.getAsBoolean(); Thread.sleep(2)) {
            if (System.nanoTime() > deadline) throw new AssertionError(what);
        }
    }

    @Test
    void aCancelledCompletionLeavesTheBatchAndTheModelServesOn() throws Exception {
        try (KnowCoder kc = TinyModel.loadWider()) {
            DecoderLoad load = kc.decoding();
            int full = fullLength(kc);
            long before = load.generatedTokens();
            CountDownLatch writing = new CountDownLatch(5);
            CompletableFuture<Completion> c = kc.complete(PROMPT, Generation.greedy(LONG), t -> writing.countDown());
            writing.await();
            assertEquals(1, load.active());
            c.cancel(false);
            waitUntil(() -> load.active() == 0, "the cancelled sequence left the batch");
            long generated = load.generatedTokens() - before;
            assertTrue(generated < full, "decoding stopped at the cancel: " + generated + " of " + full + " tokens");
            Completion next = kc.complete(PROMPT, Generation.greedy(5), null).join();
            assertEquals(5, next.completionTokens(), "the model answers the next prompt");
        }
    }

    @Test
    void aCancelledExtractionDropsItsPromptsWaitingOrDecoding() throws Exception {
        try (KnowCoder kc = TinyModel.loadWider()) {
            DecoderLoad load = kc.decoding();
            Schema types = Schema.of("Person", "Location");
            List<CompletableFuture<?>> parts = new ArrayList<>();
            // far more prompts than the batch holds, each a long prefill on this model, so that many still wait when the
            // last is submitted (the decoder answers some meanwhile: 36 of 100 in a warm JVM, where 20 prompts of a
            // third the length left too few waiting for the test to see them dropped)
            for (int i = 0; i < 100; i++) parts.add(kc.submit(String.valueOf(i), ("Lily saw a big cat in the park. Tom went home with Sue " + i + ". ").repeat(12), types, null));
            waitUntil(() -> load.active() > 0, "decoding started");
            long answered = parts.stream().filter(CompletableFuture::isDone).count(); // the decoder runs while the test submits
            assertTrue(answered < parts.size(), "the cancel comes while prompts wait: " + answered + " of " + parts.size() + " answered");
            parts.forEach(p -> p.cancel(false));
            waitUntil(() -> load.active() == 0, "the cancelled prompts left the batch");
            long prompts = load.promptTokens();
            Thread.sleep(100);
            assertEquals(prompts, load.promptTokens(), "no prompt of a cancelled extraction starts after the cancel");
            long cancelled = parts.stream().filter(CompletableFuture::isCancelled).count();
            assertTrue(cancelled >= (parts.size() - answered) / 2, "most of the unanswered were cancelled: " + cancelled + " of " + (parts.size() - answered));
            assertEquals("Ann went home.", kc.extract("Ann went home.", types).text(), "the model serves on");
        }
    }

    /** Gives up a request for {@link #PROMPT}'s long answer: {@code body} is its JSON, "stream" to be added. */
    @FunctionalInterface
    private interface GiveUp {
        void request(ExtractionServer server, String body) throws Exception;
    }

    /**
     * Serves the wider model with {@code timeout}; once {@code giveUp} has given up a long answer, its
     * sequence must leave the batch well before the answer's end, and the server stay healthy.
     */
    private static void aRequestGivenUpLeavesTheBatch(Duration timeout, GiveUp giveUp) throws Exception {
        KnowCoder kc = TinyModel.loadWider();
        try (ExtractionServer server = serving(kc, timeout)) {
            DecoderLoad load = kc.decoding();
            int full = fullLength(kc);
            long before = load.generatedTokens();
            giveUp.request(server, "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + LONG + ", \"temperature\": 0");
            waitUntil(() -> load.active() == 0, "the sequence given up left the batch");
            long generated = load.generatedTokens() - before;
            assertTrue(generated < full, "decoding stopped once the request was given up: " + generated + " of " + full + " tokens");
            assertEquals(200, TestClient.get(server, "/health", null).statusCode());
        }
    }

    /**
     * Sends a streamed request for {@link #PROMPT}'s long answer on a socket of its own, reads
     * {@code events} events of it (none: hangs up before the first token), and hangs up; the request
     * must be counted as a client gone (499).
     */
    private static void hangUpAfter(ExtractionServer server, String json, int events) throws Exception {
        byte[] body = (json + ", \"stream\": true}").getBytes(StandardCharsets.UTF_8);
        URI url = URI.create(server.url());
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: " + url.getAuthority() + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int read = 0;
            for (String line; read < events && (line = in.readLine()) != null; ) if (line.startsWith("data: {")) read++;
            assertEquals(events, read, "the stream was under way");
        } // the client hangs up
        String counted = "knowcoder_requests_total{endpoint=\"/v1/completions\",status=\"499\"} 1";
        assertTrue(TestClient.metricsHolding(server, null, List.of(counted)).contains(counted), "counted as a client gone");
    }

    @Test
    void aClientGoneMidStreamFreesItsSlot() throws Exception {
        aRequestGivenUpLeavesTheBatch(Duration.ofSeconds(60), (server, json) -> hangUpAfter(server, json, 3));
    }

    @Test
    void aClientGoneBeforeTheFirstTokenFreesItsSlot() throws Exception {
        // the server learns of it at its first writes, a token or two in, and the queue shows the slot free
        aRequestGivenUpLeavesTheBatch(Duration.ofSeconds(60), (server, json) -> {
            hangUpAfter(server, json, 0);
            assertTrue(TestClient.metricsHolding(server, null, List.of("knowcoder_queue_depth 0")).contains("knowcoder_queue_depth 0"), "the admission released");
        });
    }

    @Test
    void aTimedOutCompletionIsCancelled() throws Exception {
        aRequestGivenUpLeavesTheBatch(Duration.ofMillis(50), (server, json) -> error(504, TestClient.post(server, "/v1/completions", null, json + "}"), "past the timeout"));
        // streamed, the 200 is under way: the timeout comes as an error event, and the sequence leaves all the same
        aRequestGivenUpLeavesTheBatch(Duration.ofMillis(50), (server, json) -> {
            String stream = TestClient.post(server, "/v1/completions", null, json + ", \"stream\": true}").body();
            assertTrue(stream.contains("\"type\":\"timeout\""), stream);
        });
    }
}

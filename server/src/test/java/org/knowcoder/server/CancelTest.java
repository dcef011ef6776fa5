package org.knowcoder.server;

import org.junit.jupiter.api.Test;
import org.knowcoder.api.Completion;
import org.knowcoder.api.Generation;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Schema;
import org.knowcoder.model.session.DecoderLoad;

import java.io.BufferedReader;
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
import static org.knowcoder.server.TestClient.ok;

/**
 * A request given up (cancelled, its client gone mid-stream, past its timeout) leaves the batch at
 * the decoder's next step: the active sequences drop, the tokens stop, and the slot serves the next
 * request. On a small random model, slow enough for a test to act mid-answer, whose greedy answer
 * to {@link #PROMPT} runs long.
 */
class CancelTest {
    private static final String PROMPT = "Once upon a time, Lily";
    private static final int LONG = 400;

    /** The greedy answer's length in tokens (the same from every instance of the model), once. */
    private static int full;

    /** The greedy answer's length, checked to be long enough that a cancel shows. */
    private static synchronized int fullLength(KnowCoder kc) {
        if (full == 0) full = kc.complete(PROMPT, Generation.greedy(LONG), null).join().completionTokens();
        assertTrue(full >= 200, "the uncancelled answer runs long: " + full + " tokens");
        return full;
    }

    private static void waitUntil(BooleanSupplier done, String what) throws InterruptedException {
        for (long deadline = System.nanoTime() + 20_000_000_000L; !done.getAsBoolean(); Thread.sleep(2)) {
            if (System.nanoTime() > deadline) throw new AssertionError(what);
        }
    }

    @Test
    void aCancelledCompletionLeavesTheBatchAndItsSlotServesTheNext() throws Exception {
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
            assertTrue(generated < full / 2, "decoding stopped at the cancel: " + generated + " of " + full + " tokens");
            Completion next = kc.complete(PROMPT, Generation.greedy(5), null).join();
            assertEquals(5, next.completionTokens(), "the freed slot answers the next prompt");
        }
    }

    @Test
    void aCancelledExtractionDropsItsPromptsWaitingOrDecoding() throws Exception {
        try (KnowCoder kc = TinyModel.loadWider()) {
            DecoderLoad load = kc.decoding();
            Schema types = Schema.of("Person", "Location");
            List<CompletableFuture<?>> parts = new ArrayList<>();
            // far more prompts than the batch holds, each a long prefill on this model
            for (int i = 0; i < 20; i++) parts.add(kc.submit(String.valueOf(i), ("Lily saw a big cat in the park. Tom went home with Sue " + i + ". ").repeat(3), types, null));
            waitUntil(() -> load.active() > 0, "decoding started");
            parts.forEach(p -> p.cancel(false));
            waitUntil(() -> load.active() == 0, "the cancelled prompts left the batch");
            long prompts = load.promptTokens();
            Thread.sleep(100);
            assertEquals(prompts, load.promptTokens(), "no prompt of a cancelled extraction starts after the cancel");
            assertTrue(parts.stream().filter(CompletableFuture::isCancelled).count() >= 10, "most were cancelled before their answers");
            assertEquals("Ann went home.", kc.extract("Ann went home.", types).text(), "the model serves on");
        }
    }

    @Test
    void aClientGoneMidStreamFreesItsSlot() throws Exception {
        try (ExtractionServer server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, 8, Duration.ofSeconds(60), 16 << 10))) {
            KnowCoder kc = TinyModel.loadWider();
            server.ready(kc, "stories", null);
            DecoderLoad load = kc.decoding();
            int full = fullLength(kc);
            long before = load.generatedTokens();
            String body = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + LONG + ", \"temperature\": 0, \"stream\": true}";
            URI url = URI.create(server.url());
            try (Socket socket = new Socket(url.getHost(), url.getPort())) {
                OutputStream out = socket.getOutputStream();
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: " + url.getAuthority() + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                int events = 0;
                for (String line; events < 3 && (line = in.readLine()) != null; ) if (line.startsWith("data: {")) events++;
                assertEquals(3, events, "the stream was under way");
            } // the client hangs up mid-stream
            waitUntil(() -> load.active() == 0, "the sequence of a client gone left the batch");
            long generated = load.generatedTokens() - before;
            assertTrue(generated < full / 2, "decoding stopped once the client was gone: " + generated + " of " + full + " tokens");
            String metrics = TestClient.metricsHolding(server, null, List.of("knowcoder_requests_total{endpoint=\"/v1/completions\",status=\"499\"} 1"));
            assertTrue(metrics.contains("knowcoder_batch_active_sequences 0"), metrics);
            assertTrue(metrics.contains("knowcoder_requests_total{endpoint=\"/v1/completions\",status=\"499\"} 1"), metrics);
            ok(TestClient.post(server, "/v1/completions", null, "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 3}"));
        }
    }

    @Test
    void aTimedOutCompletionIsCancelled() throws Exception {
        try (ExtractionServer server = ExtractionServer.start(new ServerConfig("127.0.0.1", 0, null, 8, Duration.ofMillis(50), 16 << 10))) {
            KnowCoder kc = TinyModel.loadWider();
            server.ready(kc, "stories", null);
            DecoderLoad load = kc.decoding();
            int full = fullLength(kc);
            long before = load.generatedTokens();
            String body = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + LONG + ", \"temperature\": 0";
            error(504, TestClient.post(server, "/v1/completions", null, body + "}"), "past the timeout");
            waitUntil(() -> load.active() == 0, "the timed-out sequence left the batch");
            assertTrue(load.generatedTokens() - before < full / 2, "decoding stopped at the timeout");
            // streamed, the 200 is under way: the timeout comes as an error event, and the sequence leaves all the same
            String stream = TestClient.post(server, "/v1/completions", null, body + ", \"stream\": true}").body();
            assertTrue(stream.contains("\"type\":\"timeout\""), stream);
            waitUntil(() -> load.active() == 0, "the timed-out stream's sequence left the batch");
        }
    }
}

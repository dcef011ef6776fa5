package org.knowcoder.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events on an exchange, as OpenAI streams: a 200 with a body of unknown length
 * (chunked) at once, then {@code data: JSON} events, each flushed as it is written so that the client
 * sees every token as it is chosen, and {@code data: [DONE]} at the end. A write that fails means
 * the client is gone.
 */
final class EventStream implements AutoCloseable {
    private final OutputStream out;

    EventStream(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        this.out = ex.getResponseBody();
    }

    void data(Object json) throws IOException {
        try {
            write("data: " + Exchanges.JSON.writeValueAsString(json) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the event does not serialize", e);
        }
    }

    void done() throws IOException {
        write("data: [DONE]\n\n");
    }

    private void write(String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

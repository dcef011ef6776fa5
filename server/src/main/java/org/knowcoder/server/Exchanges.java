package org.knowcoder.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reading a request's body and writing responses, JSON and errors alike. */
final class Exchanges {
    static final ObjectMapper JSON = new ObjectMapper();

    private Exchanges() {}

    /** The body as UTF-8 text: 413 past {@code limit} bytes (read no further than that), 400 when not UTF-8. */
    static String body(HttpExchange ex, int limit) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > limit) throw tooLarge(limit);
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(limit + 1);
        }
        if (bytes.length > limit) throw tooLarge(limit);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("the request body is not UTF-8");
        }
    }

    private static ApiError tooLarge(int limit) {
        return new ApiError(413, "request_too_large", "the request body is larger than " + limit + " bytes", 0);
    }

    static void json(HttpExchange ex, int status, Object value) throws IOException {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the response does not serialize", e);
        }
        send(ex, status, "application/json", body);
    }

    /**
     * An error response. One that says to retry later also closes its connection: kept alive, it
     * would join the server's idle connections, which are capped (200 in the JDK's server), and one
     * past the cap is closed silently, after its client may already have sent the next request on
     * it (a flood of refused clients saw "received no bytes"). A client told to back off reconnects.
     */
    static void error(HttpExchange ex, ApiError e) throws IOException {
        if (e.retryAfter > 0) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(e.retryAfter));
            ex.getResponseHeaders().set("Connection", "close");
        }
        json(ex, e.status, errorBody(e));
    }

    /** {@code {"error": {"message", "type"}}}: an error response's body, or an error event in a stream already under way. */
    static ObjectNode errorBody(ApiError e) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", e.getMessage()).put("type", e.type);
        return error;
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}

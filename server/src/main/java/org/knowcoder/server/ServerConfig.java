package org.knowcoder.server;

import org.knowcoder.io.BadInputException;

import java.time.Duration;

/**
 * Where the server listens and what it admits.
 *
 * @param host         the address to bind (loopback unless told otherwise: the server has no TLS)
 * @param port         the port; 0 for any free one
 * @param apiKey       the key every request but /health must bring as {@code Authorization: Bearer KEY}; null for none
 * @param maxQueue     extraction requests admitted at once (decoding or waiting to); one more gets 429
 * @param timeout      how long one request may wait for its extraction before it gets 504
 * @param maxBodyBytes the largest request body; a larger one gets 413
 */
public record ServerConfig(String host, int port, String apiKey, int maxQueue, Duration timeout, int maxBodyBytes) {
    /** A body a person could paste: a few pages of text with their types. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    public ServerConfig {
        if (port < 0 || port > 65535) throw new BadInputException("--port must be 0 (any free port) to 65535, got " + port);
        if (apiKey != null && apiKey.isBlank()) throw new BadInputException("--api-key must not be empty");
        if (maxQueue < 1) throw new BadInputException("--max-queue must be at least 1, got " + maxQueue);
        if (timeout.isNegative() || timeout.isZero()) throw new BadInputException("--timeout must be positive, got " + timeout.toSeconds() + " s");
        if (maxBodyBytes < 1) throw new BadInputException("the body limit must be at least 1 byte, got " + maxBodyBytes);
    }
}

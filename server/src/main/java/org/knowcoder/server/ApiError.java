package org.knowcoder.server;

/**
 * A request the server answers with an error: its HTTP status, an OpenAI-style type, and for
 * 429 and 503 the seconds after which a retry may succeed ({@code Retry-After}; 0: none sent).
 */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final int retryAfter;

    ApiError(int status, String type, String message, int retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.retryAfter = retryAfter;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "invalid_request_error", message, 0);
    }

    static ApiError stopping() {
        return new ApiError(503, "unavailable", "the server is stopping", 5);
    }

    /** 504: {@code what} (the extraction, the completion) took longer than the server's timeout. */
    static ApiError timedOut(String what, java.time.Duration timeout) {
        return new ApiError(504, "timeout", what + " took longer than the server's timeout of " + timeout.toMillis() + " ms", 0);
    }
}

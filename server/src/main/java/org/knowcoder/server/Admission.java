package org.knowcoder.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The bounded queue in front of the decoder, shared by every model endpoint: at most
 * {@code maxQueue} requests are admitted at once, and one more gets 429 with Retry-After at once
 * rather than waiting in unbounded memory. A request stays admitted until its decoding is done
 * (or cancelled), even after its client was answered a timeout.
 */
final class Admission {
    private final Semaphore permits;
    private final int maxQueue;

    Admission(int maxQueue) {
        this.permits = new Semaphore(maxQueue);
        this.maxQueue = maxQueue;
    }

    /** Requests admitted and not yet done. */
    int depth() {
        return maxQueue - permits.availablePermits();
    }

    /** Admits a request (429 when full); the caller must {@link #release} it, or {@link #until} its work is done. */
    void admit() {
        if (!permits.tryAcquire()) {
            throw new ApiError(429, "rate_limit_error", "the server is busy (" + maxQueue + " requests in flight); retry later", 1);
        }
    }

    void release() {
        permits.release();
    }

    /** Releases the request once {@code work} is done, however it ends. */
    void until(CompletableFuture<?> work) {
        work.whenComplete((x, e) -> release());
    }
}

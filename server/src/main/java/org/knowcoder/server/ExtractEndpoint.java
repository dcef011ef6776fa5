package org.knowcoder.server;

import org.knowcoder.api.Extraction;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Schema;
import org.knowcoder.io.BadInputException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/extract} over the library. Every request's texts go to the one shared
 * {@link KnowCoder}, whose decode queue batches the prompts of all requests in flight (a prompt that
 * arrives mid-batch joins at the next step): that is the server's continuous batching. At most
 * {@code maxQueue} requests are admitted at once; one more gets 429 at once rather than waiting in
 * unbounded memory. A request is admitted until its extraction is done, even after it timed out,
 * since its prompts hold their places in the queue until then.
 */
final class ExtractEndpoint {
    private final KnowCoder model;
    private final SchemaCache schemas;
    private final Semaphore admitted;
    private final int maxQueue;
    private final Duration timeout;
    private final Metrics metrics;

    ExtractEndpoint(KnowCoder model, Schema defaults, int maxQueue, Duration timeout, Metrics metrics) {
        this.model = model;
        this.schemas = new SchemaCache(defaults);
        this.admitted = new Semaphore(maxQueue);
        this.maxQueue = maxQueue;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    /** Requests admitted and not yet done. */
    int depth() {
        return maxQueue - admitted.availablePermits();
    }

    /** The results: one Extraction for {@code "text"}, an array of them (ids "1", "2", ...) for {@code "texts"}. */
    Object extract(String body) throws InterruptedException {
        ExtractRequest r = ExtractRequest.parse(body);
        Schema schema = schemas.of(r);
        if (!admitted.tryAcquire()) {
            throw new ApiError(429, "rate_limit_error", "the server is busy (" + maxQueue + " requests in flight); retry later", 1);
        }
        List<CompletableFuture<Extraction>> parts = new ArrayList<>();
        CompletableFuture<Void> all;
        try {
            for (int i = 0; i < r.texts().size(); i++) parts.add(model.submit(String.valueOf(i + 1), r.texts().get(i), schema, null));
            all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        } catch (IllegalStateException closed) { // the model closed under us: the server is stopping
            parts.forEach(p -> p.cancel(false));
            admitted.release();
            throw new ApiError(503, "unavailable", "the server is stopping", 5);
        }
        all.whenComplete((x, e) -> admitted.release());
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiError(504, "timeout", "the extraction took longer than the server's timeout of " + timeout.toMillis() + " ms", 0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BadInputException bad) throw ApiError.badRequest(bad.getMessage());
            throw new ApiError(500, "server_error", "the extraction failed: " + e.getCause(), 0);
        }
        metrics.texts(parts.size());
        List<Extraction> results = parts.stream().map(CompletableFuture::join).map(e -> r.raw() ? e : e.withoutRaw()).toList();
        return r.single() ? results.getFirst() : results;
    }
}

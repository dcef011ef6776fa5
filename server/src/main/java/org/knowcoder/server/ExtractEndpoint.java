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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/extract} over the library. Every request's texts go to the one shared
 * {@link KnowCoder}, whose decode queue batches the prompts of all requests in flight (a prompt that
 * arrives mid-batch joins at the next step): that is the server's continuous batching. A request
 * past the timeout is cancelled: its prompts leave the batch rather than decode for nobody.
 */
final class ExtractEndpoint {
    private final KnowCoder model;
    private final SchemaCache schemas;
    private final Admission admission;
    private final Duration timeout;
    private final Metrics metrics;

    ExtractEndpoint(KnowCoder model, Schema defaults, Admission admission, Duration timeout, Metrics metrics) {
        this.model = model;
        this.schemas = new SchemaCache(defaults);
        this.admission = admission;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    /** The results: one Extraction for {@code "text"}, an array of them (ids "1", "2", ...) for {@code "texts"}. */
    Object extract(String body) throws InterruptedException {
        ExtractRequest r = ExtractRequest.parse(body);
        Schema schema = schemas.of(r);
        admission.admit();
        List<CompletableFuture<Extraction>> parts = new ArrayList<>();
        CompletableFuture<Void> all;
        try {
            for (int i = 0; i < r.texts().size(); i++) parts.add(model.submit(String.valueOf(i + 1), r.texts().get(i), schema, null));
            all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        } catch (IllegalStateException closed) { // the model closed under us: the server is stopping
            parts.forEach(p -> p.cancel(false));
            admission.release();
            throw ApiError.stopping();
        }
        admission.until(all);
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            parts.forEach(p -> p.cancel(false));
            throw ApiError.timedOut("the extraction", timeout);
        } catch (InterruptedException e) {
            parts.forEach(p -> p.cancel(false));
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BadInputException bad) throw ApiError.badRequest(bad.getMessage());
            throw new ApiError(500, "server_error", "the extraction failed: " + e.getCause(), 0);
        }
        metrics.texts(parts.size());
        List<Extraction> results = parts.stream().map(CompletableFuture::join).map(e -> r.raw() ? e : e.withoutRaw()).toList();
        return r.single() ? results.getFirst() : results;
    }
}

package org.knowcoder.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.knowcoder.api.Completion;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}, OpenAI-compatible, through the
 * same decode queue (and admission) as extraction. Streamed, the decoding thread only queues each
 * piece of text; this request's own thread writes it, so a slow client never holds up the batch. A
 * client gone (a write fails) or past the timeout has its completion cancelled, which frees its
 * place in the batch at the decoder's next step.
 */
final class CompletionEndpoint {
    private final KnowCoder model;
    private final String modelName;
    private final Admission admission;
    private final Duration timeout;

    CompletionEndpoint(KnowCoder model, String modelName, Admission admission, Duration timeout) {
        this.model = model;
        this.modelName = modelName;
        this.admission = admission;
        this.timeout = timeout;
    }

    /** Answers the exchange; returns the status to count it under. */
    int complete(HttpExchange ex, String body, boolean chat) throws IOException, InterruptedException {
        CompletionRequest r = CompletionRequest.parse(body, chat, model.options().maxNewTokens());
        CompletionShapes shapes = new CompletionShapes(chat, modelName);
        if (!r.stream()) {
            Exchanges.json(ex, 200, shapes.whole(await(start(r, null))));
            return 200;
        }
        // pieces are never empty: an empty string marks the end
        BlockingQueue<String> pieces = new LinkedBlockingQueue<>();
        CompletableFuture<Completion> completion = start(r, pieces::add);
        completion.whenComplete((c, e) -> pieces.add(""));
        try {
            return stream(ex, r, shapes, completion, pieces);
        } catch (IOException | InterruptedException | RuntimeException e) {
            completion.cancel(false); // the client is gone or the server stopping: nobody reads the rest
            throw e;
        }
    }

    private CompletableFuture<Completion> start(CompletionRequest r, Consumer<String> tokens) {
        admission.admit();
        try {
            CompletableFuture<Completion> completion = model.complete(r.prompt(), r.generation(), tokens);
            admission.until(completion);
            return completion;
        } catch (BadInputException e) {
            admission.release();
            throw ApiError.badRequest("\"" + r.promptField() + "\": " + e.getMessage());
        } catch (IllegalStateException closed) { // the model closed under us
            admission.release();
            throw ApiError.stopping();
        }
    }

    /** The completion within the timeout; past it, it is cancelled and the client gets 504. */
    private Completion await(CompletableFuture<Completion> completion) throws InterruptedException {
        try {
            return completion.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            completion.cancel(false);
            throw ApiError.timedOut("the completion", timeout);
        } catch (InterruptedException e) {
            completion.cancel(false);
            throw e;
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        }
    }

    /**
     * The pieces as events until the completion ends, then its finish reason (and usage when asked)
     * and [DONE]. A timeout or failure once the stream is under way is an error event, as OpenAI's
     * streams carry them, and is counted under its own status though the stream's 200 was sent.
     */
    private int stream(HttpExchange ex, CompletionRequest r, CompletionShapes shapes, CompletableFuture<Completion> completion,
                       BlockingQueue<String> pieces) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (EventStream events = new EventStream(ex)) {
            ObjectNode opening = shapes.opening();
            if (opening != null) events.data(opening);
            while (true) {
                String piece = pieces.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (piece == null) {
                    completion.cancel(false);
                    ApiError e = ApiError.timedOut("the completion", timeout);
                    events.data(Exchanges.errorBody(e));
                    return e.status;
                }
                if (piece.isEmpty()) break;
                events.data(shapes.piece(piece));
            }
            Completion c;
            try {
                c = completion.join();
            } catch (RuntimeException e) {
                ApiError error = failed(e.getCause());
                events.data(Exchanges.errorBody(error));
                return error.status;
            }
            events.data(shapes.finish(c));
            if (r.includeUsage()) events.data(shapes.usage(c));
            events.done();
            return 200;
        }
    }

    private static ApiError failed(Throwable cause) {
        return new ApiError(500, "server_error", "the completion failed: " + cause, 0);
    }
}

package org.knowcoder.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Schema;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * KnowCoder extraction over HTTP, with OpenAI-compatible completions beside it: JSON endpoints (and
 * server-sent events) on the JDK's own server (com.sun.net.httpserver, no dependency), one virtual
 * thread per exchange, so that a request waiting for the decoder holds no platform thread. It
 * listens from {@link #start}, answering {@code /health} with 503 until {@link #ready} hands it the
 * loaded model; {@link #close} stops accepting, lets the requests in flight finish within a grace
 * period, then frees the model. Every error is
 * {@code {"error": {"message", "type"}}} with its status.
 */
public final class ExtractionServer implements AutoCloseable {
    /** Each route: its method, and whether it needs the API key (all but the health check and the page, which holds no data). */
    private record Route(String method, boolean authorized, Endpoint endpoint) {}

    @FunctionalInterface
    private interface Endpoint {
        /** Answers the exchange and returns the status sent. */
        int handle(HttpExchange ex) throws IOException, InterruptedException;
    }

    private static final byte[] PLAYGROUND = playground();
    /**
     * Connections the kernel holds before the server accepts them. The JDK's default (50) is too few
     * for a burst: a connection past the backlog has its SYN dropped and its client waits for a
     * retransmit (a second, then three...), which looks like a hang; accepted, it gets its 429 or 503
     * at once. Linux caps it at net.core.somaxconn.
     */
    private static final int BACKLOG = 1024;

    private final ServerConfig config;
    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Metrics metrics;
    private final Admission admission;
    private final Map<String, Route> routes;
    private volatile ExtractEndpoint extract;
    private volatile CompletionEndpoint completions;
    private volatile KnowCoder model;
    private volatile String modelName;
    private volatile boolean stopping;

    private ExtractionServer(ServerConfig config) throws IOException {
        this.config = config;
        this.admission = new Admission(config.maxQueue());
        this.metrics = new Metrics(admission::depth, () -> model == null ? null : model.decoding());
        this.routes = Map.of(
                "/", new Route("GET", false, ex -> send(ex, 200, "text/html; charset=utf-8", PLAYGROUND)),
                "/health", new Route("GET", false, this::health),
                "/metrics", new Route("GET", true, ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(StandardCharsets.UTF_8))),
                "/v1/models", new Route("GET", true, this::models),
                "/v1/extract", new Route("POST", true, this::extract),
                "/v1/completions", new Route("POST", true, ex -> complete(ex, false)),
                "/v1/chat/completions", new Route("POST", true, ex -> complete(ex, true)));
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        if (address.isUnresolved()) throw new BadInputException("--host " + config.host() + ": no such host");
        this.http = HttpServer.create(address, BACKLOG);
        http.setExecutor(threads);
        http.createContext("/", this::handle);
    }

    /** Binds and starts serving; the model endpoints answer 503 until {@link #ready}. */
    public static ExtractionServer start(ServerConfig config) throws IOException {
        ExtractionServer s = new ExtractionServer(config);
        s.http.start();
        return s;
    }

    /** The base URL, as http://127.0.0.1:8080 (the bound port when the config said 0). */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Serves {@code model} from now on; the server owns it and closes it in {@link #close}.
     *
     * @param defaults the types of a request that names none; null: a request must name them
     */
    public void ready(KnowCoder model, String name, Schema defaults) {
        this.modelName = name;
        this.model = model;
        this.extract = new ExtractEndpoint(model, defaults, admission, config.timeout(), metrics);
        this.completions = new CompletionEndpoint(model, name, admission, config.timeout());
    }

    /** Stops accepting, waits for the requests in flight (at most the request timeout and a second), then frees the model. */
    @Override
    public void close() {
        stopping = true;
        http.stop((int) Math.min(Integer.MAX_VALUE, config.timeout().toSeconds() + 1));
        threads.close();
        if (model != null) model.close();
    }

    private void handle(HttpExchange ex) {
        long start = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        Route route = routes.get(path);
        int status = 0;
        try {
            if (route == null) throw new ApiError(404, "not_found_error", "no endpoint " + path + " (" + String.join(", ", List.copyOf(routes.keySet())) + ")", 0);
            if (!route.method.equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", route.method);
                throw new ApiError(405, "invalid_request_error", ex.getRequestMethod() + " " + path + ": use " + route.method, 0);
            }
            if (route.authorized && !authorized(ex)) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                throw new ApiError(401, "authentication_error", "this server needs an API key: Authorization: Bearer KEY", 0);
            }
            status = route.endpoint.handle(ex);
        } catch (ApiError e) {
            status = e.status;
            respond(ex, e);
        } catch (IOException e) {
            status = 499; // the client went away mid-exchange: nothing to answer
        } catch (InterruptedException e) {
            status = 503;
            respond(ex, ApiError.stopping());
        } catch (RuntimeException e) {
            status = 500;
            respond(ex, new ApiError(500, "server_error", "internal error: " + e, 0));
        } finally {
            metrics.request(route == null ? "other" : path, status, System.nanoTime() - start);
            ex.close();
        }
    }

    private boolean authorized(HttpExchange ex) {
        if (config.apiKey() == null) return true;
        String given = ex.getRequestHeaders().getFirst("Authorization");
        byte[] expected = ("Bearer " + config.apiKey()).getBytes(StandardCharsets.UTF_8);
        // constant time: the comparison's duration must not tell how much of a guess was right
        return given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
    }

    private int health(HttpExchange ex) throws IOException {
        String state = stopping ? "stopping" : model == null ? "loading" : "ok";
        int status = state.equals("ok") ? 200 : 503;
        if (status == 503) ex.getResponseHeaders().set("Retry-After", "5");
        return json(ex, status, Exchanges.JSON.createObjectNode().put("status", state));
    }

    private int models(HttpExchange ex) throws IOException {
        loaded(extract);
        ObjectNode list = Exchanges.JSON.createObjectNode().put("object", "list");
        list.putArray("data").addObject().put("id", modelName).put("object", "model").put("owned_by", "knowcoder");
        return json(ex, 200, list);
    }

    private int extract(HttpExchange ex) throws IOException, InterruptedException {
        ExtractEndpoint e = loaded(extract);
        return json(ex, 200, e.extract(Exchanges.body(ex, config.maxBodyBytes())));
    }

    private int complete(HttpExchange ex, boolean chat) throws IOException, InterruptedException {
        CompletionEndpoint c = loaded(completions);
        return c.complete(ex, Exchanges.body(ex, config.maxBodyBytes()), chat);
    }

    /** The endpoint of a model that is loaded and not stopping; 503 otherwise. */
    private <E> E loaded(E endpoint) {
        if (stopping) throw ApiError.stopping();
        if (endpoint == null) throw new ApiError(503, "unavailable", "the model is still loading", 5);
        return endpoint;
    }

    private static int json(HttpExchange ex, int status, Object value) throws IOException {
        Exchanges.json(ex, status, value);
        return status;
    }

    private static int send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        Exchanges.send(ex, status, type, body);
        return status;
    }

    /** The error response, unless the response was already under way (then the client gets a cut-off answer). */
    private static void respond(HttpExchange ex, ApiError e) {
        if (ex.getResponseCode() != -1) return;
        try {
            Exchanges.error(ex, e);
        } catch (IOException gone) {
            // the client went away: nobody to tell
        }
    }

    private static byte[] playground() {
        try (InputStream in = ExtractionServer.class.getResourceAsStream("playground.html")) {
            if (in == null) throw new IllegalStateException("the server's resources lack playground.html");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.knowcoder.server.TestClient.CLIENT;
import static org.knowcoder.server.TestClient.JSON;

/**
 * A headless Chromium driven over the DevTools protocol (JSON commands on a WebSocket), with the
 * JDK's own WebSocket client: a real browser for the playground's test at the cost of no
 * dependency (Selenium would add its client and chromedriver for the few commands used here:
 * open a page, run a script in it, take a screenshot).
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration START = Duration.ofSeconds(60);

    private final Process process;
    private final WebSocket page;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The browser's binary: $CHROMIUM, else chromium, chromium-browser or google-chrome on the PATH; null when none is installed. */
    static Path find() {
        String given = System.getenv("CHROMIUM");
        if (given != null && Files.isExecutable(Path.of(given))) return Path.of(given);
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty())
                .flatMap(d -> Stream.of("chromium", "chromium-browser", "google-chrome").map(n -> Path.of(d, n)))
                .filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** Starts the browser on a blank page, its profile in {@code profile}, and connects to that page. */
    HeadlessChromium(Path binary, Path profile) throws IOException, InterruptedException {
        // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start
        process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--window-size=1000,900", "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            URI browser = URI.create(listening());
            page = connect(URI.create("http://" + browser.getAuthority() + "/json/list"));
        } catch (IOException | RuntimeException | InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The browser's DevTools address, from its stderr, which is drained from then on so that it never blocks on a full pipe. */
    private String listening() throws IOException, InterruptedException {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder said = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try {
                for (String line; (line = err.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) url.complete(m.group(1));
                    else if (!url.isDone()) said.append(line).append('\n');
                }
            } catch (IOException e) {
                // the browser is gone: the wait below says so
            }
            url.completeExceptionally(new IOException("chromium ended before listening: " + said));
        });
        try {
            return url.get(START.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("chromium did not listen within " + START.toSeconds() + " s: " + said);
        }
    }

    /** A WebSocket to the first page target the browser lists. */
    private WebSocket connect(URI targets) throws IOException, InterruptedException {
        JsonNode list = JSON.readTree(CLIENT.send(HttpRequest.newBuilder(targets).build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode t : list) {
            if (t.path("type").asText().equals("page")) {
                return CLIENT.newWebSocketBuilder().buildAsync(URI.create(t.get("webSocketDebuggerUrl").asText()), new Replies()).join();
            }
        }
        throw new IOException("chromium lists no page: " + list);
    }

    /** Collects each message's frames; a message that answers a command completes that command's future. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                try {
                    JsonNode reply = JSON.readTree(message.toString());
                    CompletableFuture<JsonNode> f = reply.has("id") ? pending.remove(reply.get("id").asInt()) : null;
                    if (f != null && reply.has("error")) f.completeExceptionally(new IOException("DevTools: " + reply.get("error")));
                    else if (f != null) f.complete(reply.get("result"));
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
                message.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    /** Runs a DevTools command and returns its result. */
    JsonNode command(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode c = JSON.createObjectNode().put("id", id).put("method", method);
        c.set("params", params);
        page.sendText(JSON.writeValueAsString(c), true).join();
        return reply.get(START.toSeconds(), TimeUnit.SECONDS);
    }

    /** Opens {@code url} in the page and waits until it has loaded. */
    void open(String url) throws Exception {
        command("Page.navigate", JSON.createObjectNode().put("url", url));
        waitFor("document.readyState === 'complete' && location.href === " + JSON.writeValueAsString(url), START);
    }

    /** The value of a JavaScript expression in the page (a promise awaited), as JSON. */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode r = command("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true).put("awaitPromise", true));
        if (r.has("exceptionDetails")) throw new AssertionError("the page's script failed: " + r.get("exceptionDetails"));
        return r.get("result").path("value");
    }

    /** Polls a JavaScript condition until it is true. */
    void waitFor(String condition, Duration limit) throws Exception {
        for (long deadline = System.nanoTime() + limit.toNanos(); !evaluate("!!(" + condition + ")").asBoolean(); Thread.sleep(50)) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit.toSeconds() + " s: " + condition);
        }
    }

    /** The page as the browser shows it, as a PNG file. */
    void screenshot(Path png) throws Exception {
        JsonNode shot = command("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    @Override
    public void close() throws InterruptedException {
        page.abort();
        // the browser's helper processes (renderer, GPU, zygote) go with it
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        helpers.forEach(ProcessHandle::destroyForcibly);
    }
}

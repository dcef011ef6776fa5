package org.knowcoder.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar knowcoder.jar serve ...} running as users run it, on a free loopback port: its
 * URL and readiness from the lines it prints on stderr, and SIGTERM to stop it.
 */
final class ServeProcess implements AutoCloseable {
    /** A loaded machine starts the JVM, relaunches it and loads a small model in tens of seconds. */
    private static final long START_S = 120;

    private final Process process;
    private final StringBuffer err = new StringBuffer();
    private final CompletableFuture<URI> listening = new CompletableFuture<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private ServeProcess(Process process) {
        this.process = process;
        Thread.ofVirtual().start(this::readStderr);
    }

    /** Starts {@code serve --port 0 args} and waits until it says it is ready. */
    static ServeProcess start(Object... args) throws Exception {
        List<Object> all = new ArrayList<>(List.of("serve", "--port", "0"));
        all.addAll(List.of(args));
        ProcessBuilder pb = CliRun.jarProcess(Path.of(System.getProperty("java.home")), all.toArray());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        ServeProcess s = new ServeProcess(pb.start());
        s.process.getOutputStream().close();
        try {
            s.ready.get(START_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.close();
            throw new AssertionError("serve did not get ready: " + s.err, e);
        }
        return s;
    }

    private void readStderr() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                err.append(line).append('\n');
                if (line.startsWith("serve: listening on ")) listening.complete(URI.create(line.substring("serve: listening on ".length()).strip()));
                if (line.startsWith("serve: ready")) ready.complete(null);
            }
        } catch (IOException e) {
            // the process is gone: what it said is in err
        }
        ready.completeExceptionally(new IOException("serve ended"));
    }

    /** The server's base URL, as http://127.0.0.1:PORT. */
    URI url() {
        return listening.join();
    }

    /** What it has printed on stderr so far. */
    String err() {
        return err.toString();
    }

    /** Sends SIGTERM (to the launcher, which passes it on) and returns the exit code once it has ended. */
    int terminate(long waitSeconds) throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM, leaving stderr open for the last words, as Process.destroy would not
        if (!process.waitFor(waitSeconds, TimeUnit.SECONDS)) throw new AssertionError("serve did not stop within " + waitSeconds + " s of SIGTERM: " + err);
        return process.exitValue();
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code serve}'s bad input: one line and exit 2, before a port is taken or a model loaded (the server itself: module server's ServeTest). */
class ServeCommandTest {
    private static void refused(String expected, Object... args) {
        CliRun run = CliRun.inProcess(args);
        assertEquals(2, run.code(), run::err);
        assertTrue(run.err().contains(expected), run::err);
    }

    @Test
    void badOptionsAreExit2() throws IOException {
        refused("--port must be", "serve", "--model", OwnModels.stories(), "--port", "70000");
        refused("--max-queue must be", "serve", "--model", OwnModels.stories(), "--max-queue", "0");
        refused("--timeout must be", "serve", "--model", OwnModels.stories(), "--timeout", "0");
        refused("--api-key must not be empty", "serve", "--model", OwnModels.stories(), "--api-key", " ");
        refused("batch must be", "serve", "--model", OwnModels.stories(), "--max-batch", "0");
        refused("no such host", "serve", "--model", OwnModels.stories(), "--host", "no-such-host.invalid");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused("knowcoder: ", "serve", "--model", OwnModels.stories(), "--port", taken.getLocalPort());
        }
    }

    @Test
    void withoutAnEmbeddedModelItAsksForModel() {
        // with KnowCoder-mini embedded, serve would start serving it: this is for builds without it
        assumeTrue(getClass().getClassLoader().getResource("org/knowcoder/models/knowcoder-mini/model.safetensors") == null);
        refused("--model PATH", "serve", "--port", "0");
    }
}

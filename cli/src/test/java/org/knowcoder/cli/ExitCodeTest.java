package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.knowcoder.io.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Exit codes by the type of what a command throws: bad input (BadInputException, I/O errors) is the
 * user's to fix, code 2; a plain IllegalArgumentException is a broken precondition inside the
 * engine, our bug, code 1. No user input reaches such a check once the boundaries validate, so a
 * tiny command throws each one through Main's own failure handler.
 */
class ExitCodeTest {
    @Command(name = "failing")
    private static final class Failing implements Callable<Integer> {
        private final Exception failure;

        Failing(Exception failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            throw failure;
        }
    }

    private static CliRun runFailing(Exception failure) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Failing(failure)).setExecutionExceptionHandler(Main::handleFailure);
        cli.setErr(new PrintWriter(err, true));
        return new CliRun(cli.execute(), "", err.toString());
    }

    @Test
    void aBrokenPreconditionIsAnInternalError() {
        assumeTrue(System.getenv("KNOWCODER_DEBUG") == null, "KNOWCODER_DEBUG adds the stack trace");
        CliRun run = runFailing(new IllegalArgumentException("6 query heads do not split into 4 KV head groups"));
        assertAll(() -> assertEquals(1, run.code(), run.err()),
                () -> assertEquals(1, run.err().lines().count(), () -> "stderr must be one line: " + run.err()),
                () -> assertTrue(run.err().startsWith("knowcoder: internal error: java.lang.IllegalArgumentException: 6 query heads"),
                        run.err()));
    }

    @Test
    void badInputAndIoErrorsAreTheUsersToFix() {
        runFailing(new BadInputException("--top-p must be in (0, 1], got 2")).assertBadInput("--top-p");
        runFailing(new IOException("model.bin: truncated")).assertBadInput("model.bin: truncated");
        runFailing(new UncheckedIOException(new IOException("data.jsonl: not UTF-8"))).assertBadInput("data.jsonl: not UTF-8");
        runFailing(new InvalidPathException("shard\0.safetensors", "Nul character not allowed")).assertBadInput("shard");
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadsOptionTest {
    @Test
    void moreThreadsThanCoresAreCappedWithAWarning() {
        int cores = Runtime.getRuntime().availableProcessors();
        GenerateCommand command = new GenerateCommand();
        StringWriter err = new StringWriter();
        new CommandLine(command).setErr(new PrintWriter(err, true)).parseArgs("--model", "m.bin", "--threads", "1000");
        assertAll(() -> assertEquals(cores, command.threads.count()),
                () -> assertTrue(err.toString().contains("--threads 1000 is more than the " + cores + " available cores; using " + cores),
                        err::toString));
    }

    @Test
    void threadsUpToTheCoresAreKeptSilently() {
        GenerateCommand command = new GenerateCommand();
        StringWriter err = new StringWriter();
        new CommandLine(command).setErr(new PrintWriter(err, true)).parseArgs("--model", "m.bin", "--threads", "1");
        assertAll(() -> assertEquals(1, command.threads.count()), () -> assertEquals("", err.toString()));
    }

    @Test
    void aShortRunLeavesACoreToTheJitUnlessTheThreadsAreGiven() {
        int cores = Runtime.getRuntime().availableProcessors();
        ExtractCommand absent = new ExtractCommand(), given = new ExtractCommand();
        new CommandLine(absent).parseArgs("some text");
        new CommandLine(given).parseArgs("--threads", "1", "some text");
        assertAll(() -> assertEquals(cores, absent.options.threads.count()),
                () -> assertEquals(Math.max(1, cores - 1), absent.options.threads.countForShortRun()),
                () -> assertEquals(1, given.options.threads.countForShortRun()));
    }
}

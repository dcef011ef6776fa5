package org.knowcoder.spark;

import org.knowcoder.io.BadInputException;
import picocli.CommandLine;

import java.io.IOException;

/**
 * How the spark-submit entry points end: bad arguments or input (a missing column, an unknown type,
 * an unreadable file) are one line on stderr and exit code 2, as on the command line; anything
 * else is 1 with its stack trace, Spark's own failures included.
 */
final class JobMain {
    static final int BAD_INPUT = 2;

    private JobMain() {}

    static int run(Object command, String[] args) {
        return new CommandLine(command).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof BadInputException || e instanceof IOException) {
                cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
                return BAD_INPUT;
            }
            throw e;
        }).execute(args);
    }
}

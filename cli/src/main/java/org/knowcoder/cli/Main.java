package org.knowcoder.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;

/** The knowcoder command and its subcommands; wiring only. Exit codes: 0 ok, 2 bad usage or input, 1 internal failure. */
@Command(name = "knowcoder", mixinStandardHelpOptions = true, version = "knowcoder 0.1.0",
        description = "KnowCoder-J: run, train and evaluate KnowCoder, the LLM that extracts information by writing code.",
        subcommands = {GenerateCommand.class},
        footer = {"",
                "Quick start:",
                "  java -jar knowcoder.jar generate --model stories260K.bin --tokenizer tok512.bin --temperature 0 --steps 64",
                "  java -jar knowcoder.jar generate --model llama-hf-dir --prompt-ids 1,450,4996 --output-ids",
                "",
                "Results go to stdout, progress and timings to stderr. 'knowcoder help COMMAND' shows a command's options."})
public final class Main implements Runnable {
    static final int BAD_INPUT = 2;
    static final int INTERNAL = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main())
                .setExecutionExceptionHandler(Main::handleFailure)
                .addSubcommand(new CommandLine.HelpCommand());
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Bad files and arguments get one line and code 2; anything else is our bug: code 1. */
    private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof NoSuchFileException nsf) {
            err.println("knowcoder: " + nsf.getFile() + ": " + (nsf.getReason() == null ? "no such file" : nsf.getReason()));
            return BAD_INPUT;
        }
        if (e instanceof IOException || e instanceof IllegalArgumentException) {
            err.println("knowcoder: " + e.getMessage());
            return BAD_INPUT;
        }
        err.println("knowcoder: internal error: " + e);
        if (System.getenv("KNOWCODER_DEBUG") != null) e.printStackTrace(err);
        return INTERNAL;
    }
}

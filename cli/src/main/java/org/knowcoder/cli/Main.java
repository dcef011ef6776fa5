package org.knowcoder.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import org.knowcoder.io.BadInputException;
import org.knowcoder.tensor.device.DeviceUnavailableException;
import org.knowcoder.train.TrainingFailedException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/** The knowcoder command and its subcommands; wiring only. Exit codes: 0 ok, 2 bad usage or input, 1 internal failure. */
@Command(name = "knowcoder", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "KnowCoder-J: run, train and evaluate KnowCoder, the LLM that extracts information by writing code.",
        footer = {"",
                "Quick start:",
                "  # paths from the repository root, beside which ../shared holds the fixtures;",
                "  # path/to/ stands for your own files",
                "  java -jar knowcoder.jar extract \"Ann works for Acme in Paris.\"     # the embedded KnowCoder-mini",
                "  java -jar knowcoder.jar extract \"Ann works for Acme in Paris.\" \\",
                "      --types Person,Organization,Location --model path/to/knowcoder",
                "  java -jar knowcoder.jar extract --input path/to/news.jsonl \\",
                "      --types-file path/to/types.json --model path/to/knowcoder --out results.jsonl",
                "  java -jar knowcoder.jar generate \\",
                "      --model ../shared/fixtures/stories260K/stories260K.bin \\",
                "      --tokenizer ../shared/fixtures/stories260K/tok512.bin \\",
                "      --temperature 0 --steps 64",
                "  java -jar knowcoder.jar generate \\",
                "      --model ../shared/fixtures/models/llama-tiny-gqa \\",
                "      --prompt-ids 1,450,496 --output-ids",
                "  java -jar knowcoder.jar schema render --library path/to/schema.json \\",
                "      --types Human,GeographicLocation --style following",
                "  java -jar knowcoder.jar datasets ../shared/datasets",
                "  java -jar knowcoder.jar score --cases ../shared/fixtures/ie/scorer-cases.json",
                "  java -jar knowcoder.jar eval --model path/to/knowcoder \\",
                "      --tokenizer path/to/knowcoder/tokenizer.model \\",
                "      --datasets ../shared/datasets --dataset conll2003 --out runs/e1",
                "",
                "Results go to stdout, progress and timings to stderr.",
                "'knowcoder COMMAND --help' shows a command's options."})
public final class Main implements Runnable {
    static final int BAD_INPUT = 2;
    static final int INTERNAL = 1;

    /** The subcommands, in the order the usage lists them. */
    static final List<Class<?>> COMMANDS = List.of(GenerateCommand.class, TokenizeCommand.class, TrainTokenizerCommand.class,
            SchemaCommand.class, DatasetsCommand.class, ScoreCommand.class, ExtractCommand.class, EvalCommand.class,
            BuildDataCommand.class, InitCommand.class, TrainCommand.class, FinetuneCommand.class, MergeAdapterCommand.class,
            ConvertCommand.class, RecipeCommand.class, ServeCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code;
        try (LauncherLifeline.Held lifeline = LauncherLifeline.hold()) {
            code = run(args);
        }
        System.exit(code);
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = commandLine(args.length > 0 ? args[0] : null);
        try {
            int code = cli.execute(args);
            return code == 0 ? checkStdout(cli) : code;
        } catch (OutOfMemoryError e) {
            // picocli hands only Exceptions to the handlers; this Error would otherwise end in a stack trace
            cli.getErr().println("knowcoder: out of memory (" + e.getMessage() + "); raise the heap with java -Xmx...");
            return INTERNAL;
        }
    }

    /**
     * Results that never reached stdout (a full disk, a closed pipe) are a failure: PrintStream and
     * PrintWriter swallow write errors, so without this check a run that wrote nothing exits 0.
     */
    private static int checkStdout(CommandLine cli) {
        cli.getOut().flush();
        if (!System.out.checkError()) return 0;
        cli.getErr().println("knowcoder: could not write to standard output (disk full or pipe closed?); the output is incomplete");
        return BAD_INPUT;
    }

    /** The whole command tree. */
    static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command tree as {@link #run} uses it for arguments that start with {@code first}: only
     * that subcommand when it names one, else all of them (the usage lists them, and a misspelt name
     * gets suggestions). Building a subcommand's model is picocli's reflection over its class and
     * mixins, and creating it runs its field initializers: work every start would otherwise do for
     * commands it never runs (the gain is in the commit that made it so).
     */
    static CommandLine commandLine(String first) {
        CommandLine cli = new CommandLine(new Main())
                .setParameterExceptionHandler(Main::handleUsage)
                .setExecutionExceptionHandler(Main::handleFailure);
        boolean named = COMMANDS.stream().anyMatch(c -> name(c).equals(first));
        for (Class<?> command : COMMANDS) {
            if (!named || name(command).equals(first)) cli.addSubcommand(command);
        }
        addStandardOptions(cli, cli.getCommandSpec().versionProvider());
        return cli.addSubcommand(new CommandLine.HelpCommand());
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /**
     * Gives every subcommand, at any depth, the root's -h/--help and -V/--version (this version
     * text): a bad-usage line sends the user to 'COMMAND --help'. Done once here rather than on
     * each @Command, so that no command, present or future, can miss it.
     */
    private static void addStandardOptions(CommandLine cli, CommandLine.IVersionProvider version) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            spec.mixinStandardHelpOptions(true);
            spec.versionProvider(version);
            addStandardOptions(sub, version);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Bad usage: one line naming the problem and where the options are listed, code 2. */
    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String suggestion = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
        cli.getErr().println("knowcoder: " + oneLine(e.getMessage()) + suggestion + " ('" + cli.getCommandSpec().qualifiedName()
                + " --help' lists the options)");
        return BAD_INPUT;
    }

    /**
     * Bad files and arguments ({@link BadInputException}, I/O errors), and a device that cannot be
     * used, get one line and code 2; a training run that failed (a NaN loss) one line and code 1;
     * anything else, a plain IllegalArgumentException from a broken precondition included, is our
     * bug: code 1, with the stack trace when KNOWCODER_DEBUG is set.
     */
    static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        Exception cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof FileSystemException fse) {
            err.println("knowcoder: " + fse.getFile() + ": " + oneLine(fse.getReason() != null ? fse.getReason()
                    : fse instanceof NoSuchFileException ? "no such file"
                    : fse instanceof AccessDeniedException ? "permission denied"
                    // what makes it here: an output directory to create whose path is taken by a file
                    : fse instanceof FileAlreadyExistsException ? "exists and is not a directory; expected a directory or a path to create one"
                    : fse.getClass().getSimpleName()));
            return BAD_INPUT;
        }
        // InvalidPathException: a path given on the command line or named in a file that no file system accepts
        if (cause instanceof IOException || cause instanceof BadInputException || cause instanceof InvalidPathException
                || cause instanceof DeviceUnavailableException) {
            err.println("knowcoder: " + oneLine(cause.getMessage() != null ? cause.getMessage() : cause.toString()));
            return BAD_INPUT;
        }
        if (cause instanceof TrainingFailedException) {
            err.println("knowcoder: " + oneLine(cause.getMessage()));
            return INTERNAL;
        }
        err.println("knowcoder: internal error: " + oneLine(e.toString()));
        if (System.getenv("KNOWCODER_DEBUG") != null) e.printStackTrace(err);
        return INTERNAL;
    }

    /** The contract promises one line: a message that spans several is joined. */
    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}

package org.knowcoder.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command and subcommand answers --help and --version, and its usage says what each option
 * does and, where it has one, its default: a bad-usage line sends the user to that usage.
 */
class CommandHelpTest {

    /** A run builds only the command it names (a JVM's start pays for no other); any other first word sees them all. */
    @Test
    void aRunBuildsOnlyTheCommandItNames() {
        assertEquals(List.of("extract", "help"), List.copyOf(Main.commandLine("extract").getSubcommands().keySet()));
        List<String> all = new ArrayList<>(Main.COMMANDS.stream().map(c -> c.getAnnotation(CommandLine.Command.class).name()).toList());
        all.add("help");
        for (String first : Arrays.asList(null, "extrat", "--help", "help")) {
            assertEquals(all, List.copyOf(Main.commandLine(first).getSubcommands().keySet()), String.valueOf(first));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCommandHasHelp() {
        return commands().stream().map(spec -> DynamicTest.dynamicTest(spec.qualifiedName(), () -> {
            CliRun help = CliRun.inProcess(withOption(spec, "--help"));
            assertAll(() -> assertEquals(0, help.code(), help::err),
                    () -> assertEquals("", help.err()),
                    () -> assertTrue(help.out().contains("Usage: " + spec.qualifiedName() + " "), help::out));
        }));
    }

    /** All but picocli's own {@code help} command, which only shows others' usage. */
    @TestFactory
    Stream<DynamicTest> everyCommandHasVersion() {
        return commands().stream().filter(spec -> !(spec.userObject() instanceof CommandLine.HelpCommand))
                .map(spec -> DynamicTest.dynamicTest(spec.qualifiedName(), () -> {
                    CliRun version = CliRun.inProcess(withOption(spec, "--version"));
                    assertAll(() -> assertEquals(0, version.code(), version::err),
                            () -> assertTrue(version.out().startsWith(VersionInfo.VERSION + System.lineSeparator() + "Java "), version::out));
                }));
    }

    /**
     * Each option has a description, and one with a default shows it as "default VALUE", with the
     * value it really has (${DEFAULT-VALUE} in the description is the way not to repeat it).
     */
    @TestFactory
    Stream<DynamicTest> everyOptionIsDescribedWithItsDefault() {
        return commands().stream().map(spec -> DynamicTest.dynamicTest(spec.qualifiedName(), () -> assertAll(spec.options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp())
                .map(o -> (Executable) () -> {
                    String rendered = String.join(" ", o.renderedDescription()).strip();
                    assertFalse(rendered.isEmpty(), () -> spec.qualifiedName() + " " + o.longestName() + " has no description");
                    if (o.defaultValue() == null) return;
                    // not followed by a word character rather than \b, which a default ending in a symbol (10%) cannot meet
                    assertTrue(Pattern.compile("(?i)default:? " + Pattern.quote(o.defaultValue()) + "(?!\\w)").matcher(rendered).find(),
                            () -> spec.qualifiedName() + " " + o.longestName() + " does not show its default " + o.defaultValue() + ": " + rendered);
                }))));
    }

    /** The command tree as Main runs it, the root included, depth first. */
    private static List<CommandSpec> commands() {
        List<CommandSpec> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cli, List<CommandSpec> all) {
        all.add(cli.getCommandSpec());
        cli.getSubcommands().values().forEach(sub -> collect(sub, all));
    }

    /** The arguments that name {@code spec} below the root, then {@code option}. */
    private static Object[] withOption(CommandSpec spec, String option) {
        List<String> args = new ArrayList<>(Arrays.asList(spec.qualifiedName().split(" ")));
        args.remove(0); // the root, knowcoder
        args.add(option);
        return args.toArray();
    }
}

package org.knowcoder.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** One run of the CLI, in this JVM ({@link #inProcess}) or as {@code java -jar knowcoder.jar} ({@link #jar}). */
record CliRun(int code, String out, String err) {

    /** Runs {@link Main#run} with System.out and System.err captured (picocli takes its writers from them). */
    static CliRun inProcess(Object... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(strings(args));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs the built jar as a user would: plain {@code java -jar}, no JVM flags. Skips when the jar
     * is missing or older than a main source file (surefire runs before {@code package}).
     */
    static CliRun jar(Object... args) throws IOException, InterruptedException {
        return jarOn(Path.of(System.getProperty("java.home")), args);
    }

    /**
     * {@link #jar} with the java of the JDK or JRE at {@code javaHome}, JAVA_HOME naming the JDK
     * these tests run on (where the launcher looks first when that java is too old).
     */
    static CliRun jarOn(Path javaHome, Object... args) throws IOException, InterruptedException {
        return jarOn(javaHome, Map.of(), args);
    }

    /** {@link #jar} with these environment variables added. */
    static CliRun jar(Map<String, String> env, Object... args) throws IOException, InterruptedException {
        return jarOn(Path.of(System.getProperty("java.home")), env, args);
    }

    private static CliRun jarOn(Path javaHome, Map<String, String> env, Object... args) throws IOException, InterruptedException {
        ProcessBuilder pb = jarProcess(javaHome, args);
        pb.environment().putAll(env);
        List<String> cmd = pb.command();
        Process p = pb.start();
        p.getOutputStream().close(); // empty stdin
        // read through pipes rather than files, so that nothing is written outside a test's directory
        CompletableFuture<String> out = read(p.getInputStream()), err = read(p.getErrorStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new CliRun(p.exitValue(), out.join(), err.join());
    }

    /**
     * {@code java -jar knowcoder.jar args} with the java of {@code javaHome}, JAVA_HOME naming the JDK
     * these tests run on; a skipped test when the jar is missing or older than a main source file
     * (surefire runs before {@code package}).
     */
    static ProcessBuilder jarProcess(Path javaHome, Object... args) throws IOException {
        Path jar = Fixtures.root().resolve("cli/target/knowcoder.jar");
        assumeTrue(Files.isRegularFile(jar), jar + " is not built (mvn package)");
        assumeTrue(!sourcesNewerThan(jar), jar + " is older than the sources (mvn package)");
        List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin").resolve("java").toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(strings(args)));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb;
    }

    private static CompletableFuture<String> read(InputStream in) {
        // a thread of its own: the common pool may have one thread on a small machine, and the other pipe would fill meanwhile
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }

    /**
     * Bad input as the contract wants it: exit code 2, nothing on stdout, exactly one line on
     * stderr that mentions each of {@code mentions} (a file, a tensor, what was expected), and no
     * stack trace.
     */
    CliRun assertBadInput(Object... mentions) {
        assertAll(
                () -> assertEquals(2, code, () -> "exit code; stderr: " + err),
                () -> assertEquals("", out, "stdout"),
                () -> assertEquals(1, err.lines().count(), () -> "stderr must be one line: " + err),
                () -> assertTrue(err.startsWith("knowcoder: "), () -> "stderr: " + err),
                () -> assertFalse(err.contains("Exception") || err.contains("\tat ") || err.contains("internal error"),
                        () -> "looks like a stack trace or internal error: " + err),
                () -> assertAll(Stream.of(strings(mentions)).map(m -> (Executable)
                        () -> assertTrue(err.contains(m), () -> "stderr should mention \"" + m + "\": " + err))));
        return this;
    }

    private static String[] strings(Object... args) {
        return Stream.of(args).map(String::valueOf).toArray(String[]::new);
    }

    /** Whether a file under some module's src, its tests aside (src/main, cli's src/launcher), changed after the jar was built. */
    private static boolean sourcesNewerThan(Path jar) throws IOException {
        FileTime built = Files.getLastModifiedTime(jar);
        try (Stream<Path> modules = Files.list(Fixtures.root())) {
            for (Path src : modules.map(m -> m.resolve("src")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.filter(f -> Files.isRegularFile(f) && !f.startsWith(src.resolve("test"))).toList()) {
                        if (Files.getLastModifiedTime(f).compareTo(built) > 0) return true;
                    }
                }
            }
        }
        return false;
    }
}

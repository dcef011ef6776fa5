package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link Launcher} finds a JDK 25 when an older {@code java} runs the jar, on fake JDK homes: a
 * {@code release} file as JDKs have it and a bin/java script; and that the JVM it starts ends with it.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the fake JDKs' bin/java are shell scripts")
class LauncherTest {
    private static final String ALL_MODULES = "java.base java.management jdk.incubator.vector jdk.jfr";

    /** Any java from 8 on must be able to load the launcher, or it stops at UnsupportedClassVersionError. */
    @Test
    void launcherIsJava8Bytecode() throws IOException {
        try (InputStream in = Launcher.class.getResourceAsStream("Launcher.class")) {
            DataInputStream data = new DataInputStream(in);
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort(); // minor version
            assertEquals(52, data.readUnsignedShort(), "class file major version (52 is Java 8)");
        }
    }

    @Test
    void featureVersionReadsOldAndNewVersionStrings() {
        assertAll(() -> assertEquals(8, Launcher.featureVersion("1.8")),
                () -> assertEquals(8, Launcher.featureVersion("1.8.0_392")),
                () -> assertEquals(17, Launcher.featureVersion("17")),
                () -> assertEquals(25, Launcher.featureVersion("25.0.3")),
                () -> assertEquals(26, Launcher.featureVersion("26-ea")),
                () -> assertEquals(-1, Launcher.featureVersion("")));
    }

    @Test
    void memoryFlagsSizeTheYoungGenerationByCommandAndLeaveTrainingAndTheUsersGcAlone() {
        List<String> none = List.of();
        assertAll(() -> assertEquals(List.of("-Xmn32m", "-XX:+UseSerialGC"), Launcher.memoryFlags(none, new String[] {"extract", "text"})),
                () -> assertEquals(List.of("-Xmn192m", "-XX:+UseSerialGC"), Launcher.memoryFlags(none, new String[] {"serve"})),
                () -> assertEquals(List.of(), Launcher.memoryFlags(none, new String[] {"train", "--steps", "1"})),
                () -> assertEquals(List.of("-Xmn192m"), Launcher.memoryFlags(List.of("-XX:+UseZGC"), new String[] {"serve"})),
                () -> assertEquals(List.of("-Xmn32m", "-XX:+UseSerialGC"), Launcher.memoryFlags(List.of("-XX:ParallelGCThreads=2"), new String[] {"extract"})));
    }

    /** The AOT cache the build puts beside the jar is used, quietly (a stale one is ignored); none, or no lone jar, gives no flags. */
    @Test
    void anAotCacheBesideTheJarIsUsedQuietly(@TempDir Path tmp) throws IOException {
        Path jar = Files.createFile(tmp.resolve("knowcoder.jar"));
        String besideNothing = jar.toString();
        assertEquals(List.of(), Launcher.aotFlags(besideNothing));
        Path cache = Files.createFile(tmp.resolve("knowcoder.aot"));
        assertAll(() -> assertEquals(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"), Launcher.aotFlags(jar.toString())),
                () -> assertEquals(List.of(), Launcher.aotFlags(jar + java.io.File.pathSeparator + tmp.resolve("other.jar"))),
                () -> assertEquals(List.of(), Launcher.aotFlags(tmp.toString())),
                () -> assertEquals(List.of(), Launcher.aotFlags(null)));
    }

    /** The build's run that makes the cache names the file to write; the launcher passes it on. */
    @Test
    void theBuildsTrainingRunWritesTheCacheItNames(@TempDir Path tmp) throws IOException {
        Path jar = Files.createFile(tmp.resolve("knowcoder.jar"));
        System.setProperty(Launcher.AOT_OUTPUT, tmp.resolve("new.aot").toString());
        try {
            assertEquals(List.of("-XX:AOTCacheOutput=" + tmp.resolve("new.aot")), Launcher.aotFlags(jar.toString()));
        } finally {
            System.clearProperty(Launcher.AOT_OUTPUT);
        }
    }

    @Test
    void javaHomeWinsWhenItIsRecentEnough(@TempDir Path tmp) throws IOException {
        Path home = jdk(tmp.resolve("home/jdk-25"), "25.0.1", ALL_MODULES);
        Path roots = tmp.resolve("roots");
        jdk(roots.resolve("jdk-26"), "26", ALL_MODULES);
        assertEquals(home.resolve("bin/java"), Launcher.findJava(home.toString(), List.of(roots)));
    }

    @Test
    void anOldJavaHomeFallsBackToTheNewestInstalledJdk(@TempDir Path tmp) throws IOException {
        Path old = jdk(tmp.resolve("jdk-17"), "17.0.15", ALL_MODULES);
        Path linux = tmp.resolve("usr-lib-jvm"), mac = tmp.resolve("JavaVirtualMachines");
        jdk(linux.resolve("jdk-25"), "25.0.3", ALL_MODULES);
        jdk(linux.resolve("jdk-21"), "21.0.2", ALL_MODULES);
        Path newest = jdk(mac.resolve("temurin-26.jdk/Contents/Home"), "26.0.1", ALL_MODULES);
        assertAll(() -> assertEquals(newest.resolve("bin/java"), Launcher.findJava(old.toString(), List.of(linux, mac))),
                () -> assertEquals(linux.resolve("jdk-25/bin/java"), Launcher.findJava(null, List.of(linux))),
                () -> assertEquals(linux.resolve("jdk-25/bin/java"), Launcher.findJava("", List.of(tmp.resolve("absent"), linux))));
    }

    /** Too old, a runtime image without the Vector API, no release file, a java that cannot run: none will do. */
    @Test
    void findsNothingWhenNoJdkCanRunUs(@TempDir Path tmp) throws IOException {
        Path roots = tmp.resolve("jvm");
        jdk(roots.resolve("jdk-21"), "21.0.2", ALL_MODULES);
        jdk(roots.resolve("jre-25"), "25", "java.base java.logging");
        Files.delete(jdk(roots.resolve("no-release-25"), "25", ALL_MODULES).resolve("release"));
        Files.setPosixFilePermissions(jdk(roots.resolve("not-executable-25"), "25", ALL_MODULES).resolve("bin/java"),
                PosixFilePermissions.fromString("rw-r--r--"));
        Files.createFile(roots.resolve("a-file"));
        assertNull(Launcher.findJava(roots.resolve("jdk-21").toString(), List.of(roots)));
    }

    /** The relaunched JVM gets our flags, then the user's, then Main and the arguments as given; its exit code comes back. */
    @Test
    void relaunchRunsMainOnTheFoundJavaAndRelaysItsExitCode(@TempDir Path tmp) throws Exception {
        Path java = jdk(tmp.resolve("jdk-25"), "25", ALL_MODULES).resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$0.args\"\nexit 7\n");
        assertEquals(7, Launcher.relaunch(java, new String[] {"generate", "--prompt", "two words"}));
        List<String> args = Files.readAllLines(tmp.resolve("jdk-25/bin/java.args"));
        assertAll(() -> assertEquals(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"), args.subList(0, 2)),
                () -> assertEquals(List.of("org.knowcoder.cli.Main", "generate", "--prompt", "two words"),
                        args.subList(args.size() - 4, args.size())),
                () -> assertEquals(System.getProperty("java.class.path"), args.get(args.size() - 5)),
                () -> assertEquals("-D" + Launcher.LAUNCHER_PID + "=" + ProcessHandle.current().pid(), args.get(args.size() - 8)),
                () -> assertTrue(args.get(args.size() - 7).matches("-D" + Launcher.LIFELINE_PORT + "=[0-9]+"), args::toString));
    }

    /**
     * Issue 23 item 12: the launcher killed with SIGKILL (nothing of it runs) takes the JVM it
     * started with it at once, where watching its pid took 0.3 to several seconds, in which a run
     * went on writing. The launcher runs from the classes as {@code java -jar} runs it, without the
     * Vector API, so it relaunches; the relaunched JVM decodes stdin. A shell holds that stdin
     * open (the input, then a long sleep) and takes stdout to a file: the pipes of a Process close
     * when it ends, and the child would then end at its input's end, not its launcher's.
     */
    @Test
    void aKilledLauncherTakesItsJvmAlong(@TempDir Path tmp) throws Exception {
        Path tokenizer = OwnModels.storiesTokenizer();
        Path input = Files.writeString(tmp.resolve("ids.jsonl"), "{\"ids\": [100]}\n".repeat(TokenizeCommand.BATCH_LINES));
        Path stdout = tmp.resolve("stdout.txt"), stderr = tmp.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process shell = new ProcessBuilder("sh", "-c", "{ cat \"$0\"; sleep 600; } | exec \"$1\" -cp \"$2\" " + Launcher.class.getName()
                + " tokenize --decode --tokenizer \"$3\" --threads 1", input.toString(), java, System.getProperty("java.class.path"),
                tokenizer.toString()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            // tokenize answers a full batch of lines; its output comes from the relaunched JVM's Main, which has connected its lifeline before running the command
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.size(stdout) == 0 && shell.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(Files.size(stdout) > 0, () -> "no output; stderr: " + read(stderr));
            String javaFile = Path.of(java).toRealPath().toString(); // as the process's command: links resolved
            ProcessHandle launcher = shell.children().filter(p -> p.info().command().orElse("").equals(javaFile)).findFirst().orElseThrow();
            ProcessHandle child = launcher.children().findFirst().orElseThrow();
            launcher.destroyForcibly();
            long killed = System.nanoTime();
            // polled: onExit of a process that is not ours polls too, from 300 ms on
            while (running(child) && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(5)) Thread.sleep(2);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            // before: the pid was polled, then Runtime.halt waited 300 ms for the thread reading stdin; now 20-60 ms
            assertTrue(ms < 250, "the relaunched JVM outlived its launcher by " + ms + " ms");
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }

    /**
     * A command that ends normally lets go of its lifeline first: the thread reading it leaves its
     * read (the JVM's exit would wait up to 300 ms for a thread in native code) and does not take
     * the JVM down, as it would for a launcher that died.
     */
    @Test
    void aFinishedCommandLetsGoOfItsLifeline() throws Exception {
        try (ServerSocket launcher = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            System.setProperty(Launcher.LIFELINE_PORT, Integer.toString(launcher.getLocalPort()));
            try (LauncherLifeline.Held held = LauncherLifeline.hold(); Socket child = launcher.accept()) {
                Thread reader = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("launcher-lifeline"))
                        .findFirst().orElseThrow(); // started by hold(), which returned
                held.close();
                reader.join(TimeUnit.SECONDS.toMillis(5));
                assertTrue(!reader.isAlive(), "the lifeline's reader still runs after the lifeline was let go");
                assertEquals(-1, child.getInputStream().read(), "the launcher's end sees the connection closed");
            } finally {
                System.clearProperty(Launcher.LIFELINE_PORT);
            }
        }
    }

    /**
     * Whether the process still runs. A zombie does not: it has exited and waits for init to reap
     * it, which in some containers takes seconds, and ProcessHandle.isAlive counts it as alive.
     */
    private static boolean running(ProcessHandle p) throws IOException {
        if (!Files.isDirectory(Path.of("/proc/self"))) return p.isAlive(); // no procfs (macOS): reaped at once there
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A JDK home as installers leave it: the release file (these two of its keys) and an executable bin/java. */
    private static Path jdk(Path home, String version, String modules) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\nMODULES=\"" + modules + "\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}

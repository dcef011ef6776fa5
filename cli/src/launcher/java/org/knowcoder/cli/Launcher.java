package org.knowcoder.cli;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The jar's entry point. KnowCoder runs on JDK 25 with the Vector API module in the boot layer, and
 * a plain {@code java -jar} gives neither for sure: the default {@code java} of many systems is older,
 * and the JDK ignores {@code Add-Modules} in a jar manifest. So unless this JVM has both, this starts
 * one that has: the same JDK when it is 25 or newer, else a JDK 25+ from {@code JAVA_HOME} or the
 * usual install places, and relays its exit code. Stdin and stdout pass straight through; on stderr
 * only the JVM's "Using incubator modules" notice is dropped.
 *
 * <p>This class is compiled for Java 8 (its own source root, see cli/pom.xml), so that any JVM from 8
 * on runs it and can say what is missing instead of failing with UnsupportedClassVersionError. It
 * must use no newer API and must not link to the rest of the CLI, which is Java 25 bytecode.
 */
public final class Launcher {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final int REQUIRED_JAVA = 25;
    /** Set on the relaunched JVM: the loopback port of the launcher's lifeline, see {@link #relaunch}. */
    static final String LIFELINE_PORT = "knowcoder.launcher.lifeline";
    /** Set on the relaunched JVM: the launcher's pid, which the child watches where it cannot connect the lifeline. */
    static final String LAUNCHER_PID = "knowcoder.launcher.pid";
    private static final String MAIN = "org.knowcoder.cli.Main";
    /** Seconds a child told to stop may take: serve's default request timeout, with room to spare. */
    static final int CHILD_GRACE_S = 180;
    private static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules: " + VECTOR_MODULE;

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        int running = featureVersion(System.getProperty("java.specification.version"));
        if (running >= REQUIRED_JAVA && vectorModuleLoaded()) {
            // by name: Main is Java 25 bytecode, which neither this class's compiler (--release 8) nor an old JVM may link
            MethodHandles.publicLookup()
                    .findStatic(Class.forName(MAIN), "main", MethodType.methodType(void.class, String[].class))
                    .invokeExact(args);
            return;
        }
        Path javaHome = Paths.get(System.getProperty("java.home"));
        Path java = running >= REQUIRED_JAVA ? javaHome.resolve("bin").resolve("java")
                : findJava(System.getenv("JAVA_HOME"), installRoots());
        if (java == null) {
            String searched = installRoots().stream().map(Path::toString).collect(Collectors.joining(", "));
            System.err.println("knowcoder: needs JDK " + REQUIRED_JAVA + " or newer, but this is Java " + running + " (" + javaHome
                    + ") and none was found in JAVA_HOME or " + searched + "; install JDK " + REQUIRED_JAVA + " (such as Temurin "
                    + REQUIRED_JAVA + " from https://adoptium.net) and set JAVA_HOME to it");
            System.exit(2);
        }
        System.exit(relaunch(java, args));
    }

    /** Whether the Vector API module is in the boot layer: its classes are visible only then (ModuleLayer is Java 9). */
    private static boolean vectorModuleLoaded() {
        try {
            Class.forName(VECTOR_MODULE + ".Vector", false, Launcher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The java executable of a JDK {@value #REQUIRED_JAVA}+ with the Vector API: {@code javaHome} if
     * it is one, else the newest under {@code roots} (each a folder of JDK homes, as /usr/lib/jvm;
     * macOS bundles keep theirs in Contents/Home). Null when there is none.
     */
    static Path findJava(String javaHome, List<Path> roots) throws IOException {
        if (javaHome != null && !javaHome.isEmpty() && usableVersion(Paths.get(javaHome)) > 0) {
            return javaIn(Paths.get(javaHome));
        }
        Path best = null;
        int bestVersion = 0;
        for (Path root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (DirectoryStream<Path> homes = Files.newDirectoryStream(root)) {
                for (Path dir : homes) {
                    for (Path home : Arrays.asList(dir, dir.resolve("Contents").resolve("Home"))) {
                        int version = usableVersion(home);
                        if (version > bestVersion) {
                            best = home;
                            bestVersion = version;
                        }
                    }
                }
            }
        }
        return best == null ? null : javaIn(best);
    }

    /**
     * The feature version of the JDK at {@code home} when it can run us (version {@value #REQUIRED_JAVA}
     * or newer, the Vector API module among its modules, an executable bin/java), else 0. The
     * version comes from the {@code release} file every JDK since 9 has at its root, so that a
     * search does not start a JVM per candidate.
     */
    static int usableVersion(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || javaIn(home) == null) return 0;
        int version = 0;
        boolean vectorApi = false;
        for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
            if (line.startsWith("JAVA_VERSION=")) version = featureVersion(unquote(line.substring("JAVA_VERSION=".length())));
            if (line.startsWith("MODULES=")) vectorApi = Arrays.asList(unquote(line.substring("MODULES=".length())).split(" "))
                    .contains(VECTOR_MODULE);
        }
        return version >= REQUIRED_JAVA && vectorApi ? version : 0;
    }

    /** The feature version in a Java version string: 8 in "1.8" and "1.8.0_392", 25 in "25" and "25.0.1"; -1 if there is none. */
    static int featureVersion(String version) {
        String v = version.startsWith("1.") ? version.substring(2) : version;
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
        return end == 0 ? -1 : Integer.parseInt(v.substring(0, end));
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    /** home/bin/java (java.exe on Windows) if it is executable, else null. */
    private static Path javaIn(Path home) {
        for (String name : Arrays.asList("java", "java.exe")) {
            Path java = home.resolve("bin").resolve(name);
            if (Files.isRegularFile(java) && Files.isExecutable(java)) return java;
        }
        return null;
    }

    /** Where JDK installers and package managers put JDK homes, on Linux, macOS and Windows. */
    static List<Path> installRoots() {
        Path user = Paths.get(System.getProperty("user.home"));
        List<Path> roots = new ArrayList<>(Arrays.asList(Paths.get("/usr/lib/jvm"), Paths.get("/usr/java"), Paths.get("/opt/java"),
                Paths.get("/Library/Java/JavaVirtualMachines"), user.resolve("Library/Java/JavaVirtualMachines"),
                user.resolve(".sdkman/candidates/java"), user.resolve(".jdks")));
        String programFiles = System.getenv("ProgramFiles");
        if (programFiles != null) {
            for (String vendor : Arrays.asList("Java", "Eclipse Adoptium", "Microsoft")) roots.add(Paths.get(programFiles, vendor));
        }
        return roots;
    }

    /**
     * Runs the child JVM to its end and returns its exit code. The child must end the moment this
     * launcher does, however it ends: killed with SIGKILL, nothing here runs, and an orphaned child
     * would go on appending to a run (a resumed eval would then write the same sentences twice).
     * So the child connects to a loopback socket this JVM listens on, its lifeline, and exits when
     * the connection ends: the kernel closes a dead process's sockets at once, where watching its
     * pid (ProcessHandle.onExit) polls, with a delay growing from 300 ms to 5 s. A socket, rather
     * than a pipe, because ProcessBuilder hands a child no descriptors but stdin, stdout and
     * stderr, and those stay the user's: commands read stdin, and its end means the input's end,
     * not the launcher's. Java 8 can open it, and it works the same on Linux, macOS and Windows.
     */
    static int relaunch(Path java, String[] args) throws IOException, InterruptedException {
        try (ServerSocket lifeline = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process child = new ProcessBuilder(command(java, ManagementFactory.getRuntimeMXBean().getInputArguments(),
                    System.getProperty("java.class.path"), lifeline.getLocalPort(), args))
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            Thread holder = new Thread(() -> holdLifeline(lifeline), "child-lifeline");
            holder.setDaemon(true);
            holder.start();
            Thread relay = new Thread(() -> relayStderr(child.getErrorStream()), "stderr-relay");
            relay.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopChild(child, relay)));
            int code = child.waitFor();
            relay.join();
            return code;
        }
    }

    /**
     * The launcher told to stop (SIGTERM, Ctrl-C) while the child runs: the child is told too and
     * the launcher waits for it, then exits with its code, so that a child that stops cleanly
     * (serve finishes the requests in flight, exits 0) is not cut off by its lifeline and reported
     * as killed. A child still running after {@link #CHILD_GRACE_S} seconds is killed. When the
     * launcher ends because the child did, there is nothing to do.
     */
    private static void stopChild(Process child, Thread relay) {
        if (!child.isAlive()) return;
        terminate(child);
        try {
            if (child.waitFor(CHILD_GRACE_S, TimeUnit.SECONDS)) {
                relay.join(1000); // the child's last words on stderr
                Runtime.getRuntime().halt(child.exitValue()); // exit is under way: halt is what sets the code now
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        child.destroyForcibly();
    }

    /**
     * SIGTERM to the child, keeping its stderr open to relay its last words: Process.destroy sends
     * the same signal but closes the streams at once. ProcessHandle (Java 9+, by reflection: this
     * class is Java 8) does not; on Java 8, destroy it is.
     */
    private static void terminate(Process child) {
        try {
            Object handle = Process.class.getMethod("toHandle").invoke(child);
            Class.forName("java.lang.ProcessHandle").getMethod("destroy").invoke(handle);
        } catch (ReflectiveOperationException java8) {
            child.destroy();
        }
    }

    /**
     * Accepts the child's connection and keeps it open (and reachable, so that no cleaner closes
     * it) until the child closes its end. Never writes: only the connection's end carries meaning.
     */
    private static void holdLifeline(ServerSocket lifeline) {
        try (Socket child = lifeline.accept(); InputStream in = child.getInputStream()) {
            while (in.read() >= 0) {
                // the child sends nothing; read returns at its exit
            }
        } catch (IOException e) {
            // the listener was closed (the child has exited) or the connection reset: nothing left to hold
        }
    }

    /** The relaunched JVM's command line: {@code java}, our flags, then the user's (which win), then Main and the arguments. */
    static List<String> command(Path java, List<String> userFlags, String classPath, int lifelinePort, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.add("--add-modules=" + VECTOR_MODULE);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(memoryFlags(userFlags, args));
        cmd.addAll(JIT_FLAGS);
        cmd.addAll(aotFlags(classPath));
        cmd.addAll(userFlags);
        String pid = ownPid();
        if (pid != null) cmd.add("-D" + LAUNCHER_PID + "=" + pid);
        cmd.add("-D" + LIFELINE_PORT + "=" + lifelinePort);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(MAIN);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /**
     * This JVM's pid, or null where the JVM does not tell it: ProcessHandle is Java 9, so this reads
     * the runtime's name, which HotSpot and OpenJ9 make "pid@host".
     */
    private static String ownPid() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        int at = name.indexOf('@');
        String pid = at > 0 ? name.substring(0, at) : "";
        return pid.matches("[0-9]+") ? pid : null;
    }

    /** Commands that train: their activations are large arrays made and dropped every step. */
    private static final List<String> TRAINING_COMMANDS = Arrays.asList("train", "finetune", "recipe");

    /** Whether a JVM flag picks a collector (-XX:+UseG1GC, -XX:+UseZGC, ...); -XX:ParallelGCThreads and the like do not. */
    static boolean choosesCollector(String flag) {
        return flag.matches("-XX:\\+Use\\w*GC");
    }

    /**
     * Keeps the resident set near the size of the weights: until C2 compiles the kernels, every
     * Vector API operation allocates, and G1's default young generation lets that garbage grow the
     * resident set by about 200 MB; a small young generation collects it early, and the serial
     * collector (the hot loops allocate nothing, so there is little to collect) has the smallest
     * bookkeeping. Measured on the stories110M-shaped BF16 model: 506 MB peak by default, 408 MB with
     * these. Flags the user gave come later on the command line and win; a GC choice of theirs
     * replaces ours.
     *
     * <p>{@code serve} gets a young generation of 192 MB instead: a request lives a few hundred
     * milliseconds, across several collections of a 32 MB one, so its objects were promoted and the
     * old generation grew for minutes under load (ServeLoad on KnowCoder-mini: the resident set's
     * peak 5% to 25% higher in the last 20 s than in the second); with 192 MB they die young, and the
     * resident set stays flat (0.3%, at about 785 MB). G1's defaults were flat too, at 2.7 GB.
     *
     * <p>Training is the opposite case and keeps the JVM's defaults (G1): every step allocates its
     * activations anew (attention probabilities of 67 MB a layer at 1,024 positions). With these
     * flags those went straight to the old generation, young collections ran 15 times a second, and
     * KnowCoder-mini's pretraining fell from about 1,000 tokens/s to 450 within six steps as the old
     * generation filled; with G1 it held 950-1,050.
     */
    static List<String> memoryFlags(List<String> userFlags, String[] args) {
        if (args.length > 0 && TRAINING_COMMANDS.contains(args[0])) return Collections.emptyList();
        boolean serving = args.length > 0 && args[0].equals("serve");
        List<String> flags = new ArrayList<>(Collections.singletonList(serving ? "-Xmn192m" : "-Xmn32m"));
        if (userFlags.stream().noneMatch(Launcher::choosesCollector)) flags.add("-XX:+UseSerialGC");
        return flags;
    }

    /**
     * Compiles the kernels (org.knowcoder.tensor) with C2 after a twentieth of the usual call and
     * loop counts. Until C2 has them, kernels run as C1 code in which every Vector API operation
     * allocates, and the small per-token kernels (norms, residual adds, SwiGLU) are called only a few
     * dozen times a token, so by default they reached C2 only after a second or so of decoding.
     * Measured on the stories110M-shaped F32 model, 256 tokens, 2 threads, alternated runs: 86-87
     * -> 89-92 tok/s. Lowering it for all code (0.01) was slower (74-82): code compiled on thin
     * profiles is recompiled. "quiet" keeps the JVM from printing the command on stdout, which
     * carries the output.
     *
     * <p>And keeps C2 off the Vector API's fallbacks ({@code ldOp}, {@code bOpTemplate}, ...: the
     * Java loops that do a vector operation lane by lane where it is not intrinsified). Until C2 has
     * our kernels, their C1 code calls these, so the fallbacks got hot and C2 compiled them, OSR
     * versions included, in the one C2 thread a 2-core machine has, ahead of the kernels that replace
     * them; no compiled kernel calls them. A node limit of 1 makes C2 give up on them at once, and
     * C1 keeps them: no other per-method flag keeps one compiler off (a compiler-directives file
     * can, but it needs a file beside the jar and a diagnostic flag).
     */
    static final List<String> JIT_FLAGS = Collections.unmodifiableList(Arrays.asList("-XX:CompileCommand=quiet",
            "-XX:CompileCommand=CompileThresholdScaling,org.knowcoder.tensor.*::*,0.05",
            "-XX:CompileCommand=MaxNodeLimit,jdk/incubator/vector/*.*Op,1",
            "-XX:CompileCommand=MaxNodeLimit,jdk/incubator/vector/*.*OpTemplate,1",
            "-XX:CompileCommand=MaxNodeLimit,jdk/incubator/vector/*.bTest,1",
            "-XX:CompileCommand=MaxNodeLimit,jdk/incubator/vector/*.defaultCast,1"));

    /** Set when the build runs the jar once to make its AOT cache: the file to write, see {@link #aotFlags}. */
    static final String AOT_OUTPUT = "knowcoder.aot.output";

    /**
     * JDK 25's AOT cache (JEP 483, 514, 515): the classes of a training run loaded and linked ahead,
     * with their profiles. The build makes one beside the jar ({@code knowcoder.aot} beside
     * {@code knowcoder.jar}, cli/pom.xml) by running an extraction with the embedded model through
     * this launcher with {@value #AOT_OUTPUT} set; every later run uses it, and starts sooner by the
     * class loading and linking it skips. A cache that does not fit
     * (another JDK, a rebuilt or moved jar) is ignored by the JVM, which would say so on stdout
     * (the output's channel) unless its AOT logging is off, as here.
     */
    static List<String> aotFlags(String classPath) {
        String output = System.getProperty(AOT_OUTPUT);
        if (output != null) return Collections.singletonList("-XX:AOTCacheOutput=" + output);
        if (classPath == null || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) return Collections.emptyList();
        Path cache = Paths.get(classPath.substring(0, classPath.length() - ".jar".length()) + ".aot");
        if (!Files.isRegularFile(cache)) return Collections.emptyList();
        return Arrays.asList("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off");
    }

    /** Copies the child's stderr byte for byte, minus the incubator notice if it is the first line. */
    private static void relayStderr(InputStream childErr) {
        OutputStream err = new FileOutputStream(FileDescriptor.err);
        try (InputStream in = childErr) {
            byte[] first = new byte[INCUBATOR_NOTICE.length() + 1];
            int n = 0;
            int b;
            while (n < first.length && (b = in.read()) >= 0) {
                first[n++] = (byte) b;
                if (b == '\n') break;
            }
            String line = new String(first, 0, n, StandardCharsets.UTF_8);
            if (!line.trim().equals(INCUBATOR_NOTICE)) err.write(first, 0, n);
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) >= 0) err.write(buf, 0, r);
        } catch (IOException e) {
            // the child has gone; nothing left to relay
        }
    }
}

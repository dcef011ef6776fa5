package org.knowcoder.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The jar's entry point. The JDK ignores {@code Add-Modules} in a jar manifest, so when the Vector
 * API module is missing from the boot layer this relaunches the same JVM with the flags it needs
 * and relays its exit code. Stdin and stdout pass straight through; on stderr only the JVM's
 * "Using incubator modules" notice is dropped. This class must not touch any vectorized code.
 */
public final class Launcher {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Set on the relaunched JVM: the launcher's pid, so that the child can end when the launcher is killed. */
    static final String LAUNCHER_PID = "knowcoder.launcher.pid";
    private static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules: " + VECTOR_MODULE;

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            Main.main(args);
            return;
        }
        System.exit(relaunch(args));
    }

    private static int relaunch(String[] args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules=" + VECTOR_MODULE);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        List<String> userFlags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        cmd.addAll(memoryFlags(userFlags));
        cmd.addAll(JIT_FLAGS);
        cmd.addAll(userFlags);
        cmd.add("-D" + LAUNCHER_PID + "=" + ProcessHandle.current().pid());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(Arrays.asList(args));
        Process child = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
        Thread relay = new Thread(() -> relayStderr(child.getErrorStream()), "stderr-relay");
        relay.start();
        int code = child.waitFor();
        relay.join();
        return code;
    }

    /**
     * In the relaunched JVM: end when the launcher ends. A launcher killed with SIGKILL cannot stop
     * its child, and an orphaned run would go on writing (a resumed eval would then write the same
     * sentences twice), so the child watches the launcher's process and halts when it is gone.
     */
    static void endWithLauncher() {
        String pid = System.getProperty(LAUNCHER_PID);
        if (pid == null) return;
        ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
                launcher -> launcher.onExit().thenRun(() -> Runtime.getRuntime().halt(137)),
                () -> Runtime.getRuntime().halt(137));
    }

    /**
     * Keeps the resident set near the size of the weights: until C2 compiles the kernels, every
     * Vector API operation allocates, and G1's default young generation lets that garbage grow the
     * resident set by about 200 MB; a small young generation collects it early, and the serial
     * collector (the hot loops allocate nothing, so there is little to collect) has the smallest
     * bookkeeping. Measured on the stories110M-shaped BF16 model: 506 MB peak by default, 408 MB with
     * these. Flags the user gave come later on the command line and win; a GC choice of theirs
     * replaces ours.
     */
    static List<String> memoryFlags(List<String> userFlags) {
        List<String> flags = new ArrayList<>(List.of("-Xmn32m"));
        if (userFlags.stream().noneMatch(f -> f.contains("GC"))) flags.add("-XX:+UseSerialGC");
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
     */
    static final List<String> JIT_FLAGS = List.of("-XX:CompileCommand=quiet",
            "-XX:CompileCommand=CompileThresholdScaling,org.knowcoder.tensor.*::*,0.05");

    /** Copies the child's stderr byte for byte, minus the incubator notice if it is the first line. */
    private static void relayStderr(InputStream in) {
        OutputStream err = new FileOutputStream(FileDescriptor.err);
        try (in) {
            byte[] first = new byte[INCUBATOR_NOTICE.length() + 1];
            int n = 0;
            int b;
            while (n < first.length && (b = in.read()) >= 0) {
                first[n++] = (byte) b;
                if (b == '\n') break;
            }
            String line = new String(first, 0, n, StandardCharsets.UTF_8);
            if (!line.strip().equals(INCUBATOR_NOTICE)) err.write(first, 0, n);
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) >= 0) err.write(buf, 0, r);
        } catch (IOException e) {
            // the child has gone; nothing left to relay
        }
    }
}

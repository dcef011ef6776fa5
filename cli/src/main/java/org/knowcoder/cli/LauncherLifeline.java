package org.knowcoder.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** The relaunched JVM's tie to its {@link Launcher}: it ends the moment the launcher ends. */
final class LauncherLifeline {
    private LauncherLifeline() {}

    /** The lifeline as held: closing it lets go, and this JVM then exits as any other. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Loopback answers in microseconds; this only bounds a connect that a firewall swallows. */
    private static final int LIFELINE_CONNECT_MS = 2000;

    /**
     * In the JVM the {@link Launcher} started: end the moment the launcher ends. A launcher killed
     * with SIGKILL cannot stop its child, and an orphaned run would go on writing (a resumed eval
     * would then write the same sentences twice), so the child connects to the launcher's lifeline
     * socket and exits when the connection ends, which the kernel does at once when the launcher
     * dies (why a socket: {@link Launcher#relaunch}). Where the connection cannot be made (the
     * launcher is already gone, or sockets are forbidden here) the child watches the launcher's
     * pid instead, which notices its end late but surely.
     *
     * <p>Close what this returns before exiting: the JVM's exit waits up to 300 ms for threads in
     * native code, and the thread reading the lifeline is one (measured: {@code --version} 0.92 s
     * with the lifeline held to exit, 0.61 s without).
     */
    static Held hold() {
        String port = System.getProperty(Launcher.LIFELINE_PORT);
        if (port == null) return () -> {};
        Socket lifeline = new Socket();
        try {
            lifeline.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port)), LIFELINE_CONNECT_MS);
        } catch (IOException e) {
            String pid = System.getProperty(Launcher.LAUNCHER_PID);
            Runnable die = killer();
            (pid == null ? Optional.<ProcessHandle>empty() : ProcessHandle.of(Long.parseLong(pid))).ifPresentOrElse(
                    launcher -> launcher.onExit().thenRun(die), die);
            return () -> {};
        }
        AtomicBoolean released = new AtomicBoolean();
        Thread.ofPlatform().daemon().name("launcher-lifeline").start(() -> {
            Runnable die = killer();
            try (lifeline; InputStream in = lifeline.getInputStream()) {
                while (in.read() >= 0) {
                    // the launcher sends nothing; read returns when it is gone
                }
            } catch (IOException e) {
                // a reset: the launcher is gone all the same, unless this JVM closed the socket itself
            }
            if (!released.get()) die.run();
        });
        return () -> {
            released.set(true);
            try {
                lifeline.close(); // wakes the reader, and returns once it is out of its read
            } catch (IOException e) {
                // closed all the same
            }
        };
    }

    /**
     * What ends this process at once, with the code of one killed by SIGKILL (128 + 9), as the
     * launcher was. Not Runtime.halt alone: it first waits up to 300 ms for threads in native code
     * to stop, and a command blocked reading stdin is one. The C library's _exit waits for nothing
     * (this JVM runs with native access enabled, see {@link Launcher}); it is linked here, ahead,
     * since linking takes a cold JVM a few hundred milliseconds. Halt remains where there is no _exit.
     */
    private static Runnable killer() {
        MethodHandle exit = cExit();
        return () -> {
            try {
                if (exit != null) exit.invokeExact(137);
            } catch (Throwable e) {
                // _exit does not return; nothing can be thrown here that halt would not settle
            }
            Runtime.getRuntime().halt(137);
        };
    }

    /** The C library's {@code void _exit(int)}, or null where this platform has no native linker or no such function. */
    private static MethodHandle cExit() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("_exit")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT))).orElse(null);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }
}

package org.knowcoder.server;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop, rather than the JVM's default of running the shutdown
 * hooks and exiting 143: a server told to stop should finish the requests it accepted and exit 0,
 * which a shutdown hook cannot do (the exit code is fixed by then, and a hook that waits holds up
 * the exit). sun.misc.Signal is the JDK's only way to catch a signal; it is in jdk.unsupported,
 * which every JDK has.
 */
public final class Signals {
    private Signals() {}

    /** Runs {@code stop} (on a thread of its own) at the first SIGTERM or SIGINT. */
    public static void onTerminate(Runnable stop) {
        Signal.handle(new Signal("TERM"), s -> stop.run());
        Signal.handle(new Signal("INT"), s -> stop.run());
    }
}

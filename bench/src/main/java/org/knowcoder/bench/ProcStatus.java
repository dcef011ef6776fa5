package org.knowcoder.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's memory as Linux's /proc/PID/status reports it (VmRSS, VmHWM, ...). */
final class ProcStatus {
    private ProcStatus() {}

    private static final long POLL_MILLIS = 5;

    /**
     * The peak resident set (VmHWM, the kernel's own peak of VmRSS) of {@code child}, or of the
     * process it started where it started one (the CLI's launcher relaunches the JVM that does the
     * work and only relays), polled until {@code child} exits. VmHWM never falls, so a poll misses
     * only a peak reached in the child's last few milliseconds.
     */
    static long peakWhileAlive(Process child) throws InterruptedException {
        long peak = 0;
        while (child.isAlive()) {
            long pid = child.descendants().findFirst().map(ProcessHandle::pid).orElse(child.pid());
            peak = Math.max(peak, bytes(pid, "VmHWM"));
            Thread.sleep(POLL_MILLIS);
        }
        return peak;
    }

    /** The field (as "VmRSS") in bytes; 0 once the process has gone, or where there is no /proc. */
    static long bytes(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException e) {
            // exited between a liveness check and the read
        }
        return 0;
    }
}

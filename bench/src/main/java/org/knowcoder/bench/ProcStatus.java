package org.knowcoder.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's memory as Linux's /proc/PID/status reports it (VmRSS, VmHWM, ...). */
final class ProcStatus {
    private ProcStatus() {}

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

package org.knowcoder.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --threads N}, for every command that computes: checked as it is parsed, all cores when
 * absent, and at most all cores, since workers spin while they wait for work and more of them than
 * cores only take turns on them.
 */
final class ThreadsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all cores)")
    void threads(int n) {
        if (n < 1) throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + n);
        int cores = Runtime.getRuntime().availableProcessors();
        if (n > cores) {
            spec.commandLine().getErr().println("knowcoder: --threads " + n + " is more than the " + cores + " available cores; using " + cores);
        }
        threads = Math.min(n, cores);
    }

    int count() {
        return threads;
    }
}

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
    private boolean given;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all cores; extract on text arguments: all but one)")
    void threads(int n) {
        if (n < 1) throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + n);
        int cores = Runtime.getRuntime().availableProcessors();
        if (n > cores) {
            spec.commandLine().getErr().println("knowcoder: --threads " + n + " is more than the " + cores + " available cores; using " + cores);
        }
        threads = Math.min(n, cores);
        given = true;
    }

    int count() {
        return threads;
    }

    /**
     * For a run that ends before the JIT has compiled the kernels (text given as arguments): the
     * given count, else all cores but one, which the compiler threads need then more than the
     * kernels do (KnowCoder-mini's first extraction: bench/README.md, "First contact").
     */
    int countForShortRun() {
        return given ? threads : Math.max(1, threads - 1);
    }
}

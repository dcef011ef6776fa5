package org.knowcoder.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.regex.Pattern;

/**
 * The machine's read bandwidth at this moment, as {@link MemoryBandwidthBenchmark} measures it (a
 * vectorized sum over 1 GiB, split across the engine's own worker pool): the ceiling a decode's
 * weight bandwidth is held against. JMH runs it in a JVM of its own, shortened to a few seconds, so
 * that a runner can measure it beside each decode: this machine's bandwidth drifts by tens of
 * percent within seconds.
 */
final class ReadBandwidth {
    private ReadBandwidth() {}

    /** GB/s (1e9 bytes) read by {@code threads} threads. */
    static double gbPerSecond(int threads) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(Pattern.quote(MemoryBandwidthBenchmark.class.getName()) + "\\.sum$")
                .param("threads", Integer.toString(threads))
                .forks(1)
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                .verbosity(VerboseMode.SILENT)
                .build();
        // what JMH prints (the forked JVM's warnings included) goes to stderr: stdout carries the runner's report
        RunResult result = new Runner(options, OutputFormatFactory.createFormatInstance(System.err, VerboseMode.SILENT)).runSingle();
        return result.getSecondaryResults().get("gbPerSecond").getScore();
    }
}

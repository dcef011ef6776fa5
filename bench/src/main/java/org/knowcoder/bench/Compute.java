package org.knowcoder.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary JMH result: a benchmark adds the billions of floating-point operations it did per call
 * (a multiply-add counts two), reported per second as {@code <benchmark>:gflopPerSecond}
 * (JMH labels the unit "ops/s"; the number is GFLOP/s).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Compute {
    public double gflopPerSecond;

    @Setup(Level.Iteration)
    public void reset() {
        gflopPerSecond = 0;
    }
}

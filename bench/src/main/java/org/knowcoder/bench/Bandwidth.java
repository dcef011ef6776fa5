package org.knowcoder.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary JMH result: a benchmark adds the gigabytes (1e9 bytes) it read from memory per call, and
 * JMH reports the sum per second of the iteration next to the primary score, as
 * {@code <benchmark>:gbPerSecond} (JMH labels the unit "ops/s"; the number is GB/s).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Bandwidth {
    public double gbPerSecond;

    @Setup(Level.Iteration)
    public void reset() {
        gbPerSecond = 0;
    }
}

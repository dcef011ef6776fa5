package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tensor.kernels.Gemm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation: ops run forward at once and record here how to send the
 * gradient of their output back to their inputs; {@link #backward} replays those steps in reverse.
 *
 * <p>Memory: each step is dropped as soon as it has run, and with it what the op saved; an
 * intermediate's value is dropped once the last step that reads it has run, and its gradient once
 * its producer has passed it on. So activations live only as long as backward needs them.
 *
 * <p>A tape can be reused for the next forward after backward. Ops parallelize on its pool.
 */
public final class Tape {
    private record Step(Var out, Var[] inputs, Runnable backward) {}

    private final WorkerPool pool;
    private final Gemm gemm;
    private final List<Step> steps = new ArrayList<>();
    private float[] scratch = new float[0];

    public Tape(WorkerPool pool) {
        this(pool, new Gemm(pool));
    }

    private Tape(WorkerPool pool, Gemm gemm) {
        this.pool = pool;
        this.gemm = gemm;
    }

    /** A tape for a sub-computation run in between this one's ops (shares the pool and the product buffers). */
    Tape child() {
        return new Tape(pool, gemm);
    }

    public WorkerPool pool() {
        return pool;
    }

    Gemm gemm() {
        return gemm;
    }

    /** A buffer of at least n floats for use inside one op call (contents undefined). */
    float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[n];
        return scratch;
    }

    static boolean anyRequiresGrad(Var... vars) {
        for (Var v : vars) if (v.requiresGrad()) return true;
        return false;
    }

    /** Records how {@code out}'s gradient reaches {@code inputs}; nothing when out needs no gradient. */
    void record(Var out, Runnable backward, Var... inputs) {
        if (!out.requiresGrad()) return;
        for (Var in : inputs) in.pendingUses++;
        steps.add(new Step(out, inputs, backward));
    }

    /** Steps recorded and not yet run. */
    public int pending() {
        return steps.size();
    }

    /**
     * Bytes of intermediate values that the recorded steps keep alive (each value once): the
     * activations held between forward and backward, not counting what ops save on the side
     * (attention probabilities, RMS norm's per-row scales).
     */
    public long heldActivationBytes() {
        Set<Var> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long floats = 0;
        for (Step s : steps) {
            floats += held(s.out(), seen);
            for (Var in : s.inputs()) floats += held(in, seen);
        }
        return floats * Float.BYTES;
    }

    private static long held(Var v, Set<Var> seen) {
        return !v.isLeaf() && v.value() != null && seen.add(v) ? v.size() : 0;
    }

    /** Back-propagates from a scalar {@code loss}: adds d(loss)/d(p) to the gradient of every parameter p. */
    public void backward(Var loss) {
        if (loss.size() != 1) throw new IllegalArgumentException("backward needs a scalar loss, got " + loss);
        backward(loss, new float[] {1f});
    }

    /** Back-propagates the gradient {@code seed} of {@code out} (same size as out). */
    public void backward(Var out, float[] seed) {
        if (seed.length != out.size()) throw new IllegalArgumentException("seed of " + seed.length + " for " + out);
        float[] g = out.gradForUpdate();
        for (int i = 0; i < g.length; i++) g[i] += seed[i];
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step s = steps.get(i);
            steps.set(i, null);
            if (s.out().grad() != null) s.backward().run();
            s.out().releaseGrad();
            if (s.out().pendingUses == 0) s.out().releaseValue();
            for (Var in : s.inputs()) {
                if (--in.pendingUses == 0) in.releaseValue();
            }
        }
        steps.clear();
    }

    /** Forgets the recorded steps without running them (a forward pass whose gradient is not wanted). */
    public void clear() {
        for (Step s : steps) for (Var in : s.inputs()) in.pendingUses--;
        steps.clear();
    }
}

package org.knowcoder.tensor.autograd;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Half;
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
 * its producer has passed it on. So activations live only as long as backward needs them, and
 * their arrays then serve the next pass's ops ({@link FloatPool}).
 *
 * <p>A tape can be reused for the next forward after backward. Ops parallelize on its pool.
 *
 * <p>A BF16 tape rounds every op's output to BF16 (nearest even) as the op records it, the one
 * place all ops pass through, so activations carry BF16 precision as on mixed-precision hardware;
 * the rounding is not differentiated (gradients pass it unchanged) and gradients stay F32.
 */
public final class Tape {
    private record Step(Var out, Var[] inputs, Runnable backward) {}

    private final WorkerPool pool;
    private final Gemm gemm;
    private final boolean bf16;
    private final List<Step> steps = new ArrayList<>();
    private final FloatPool arrays;
    /** A child's backward is part of its parent's pass, which ends the pass. */
    private final boolean root;

    public Tape(WorkerPool pool) {
        this(pool, false);
    }

    /** With {@code bf16}, op outputs are rounded to BF16 (see the class comment). */
    public Tape(WorkerPool pool, boolean bf16) {
        this(pool, new Gemm(pool), bf16, new FloatPool(), true);
    }

    private Tape(WorkerPool pool, Gemm gemm, boolean bf16, FloatPool arrays, boolean root) {
        this.pool = pool;
        this.gemm = gemm;
        this.bf16 = bf16;
        this.arrays = arrays;
        this.root = root;
    }

    /** A tape for a sub-computation run in between this one's ops (shares the pool, the product buffers, the arrays and the precision). */
    Tape child() {
        return new Tape(pool, gemm, bf16, arrays, false);
    }

    /**
     * An array whose first n floats are zeros (it may be longer: {@link FloatPool}) for an op to keep from its
     * forward to its backward, or to use within one call; the op hands the array back with
     * {@link #give} when done (an array never handed back is only garbage).
     */
    float[] take(int n) {
        return arrays.take(n);
    }

    void give(float[] a) {
        arrays.give(a);
    }

    /** A new op output [rows, cols] of zeros. */
    Var result(String name, int rows, int cols, boolean requiresGrad) {
        return Var.intermediate(name, rows, cols, requiresGrad, arrays);
    }

    /** Whether op outputs are rounded to BF16. */
    public boolean bf16() {
        return bf16;
    }

    public WorkerPool pool() {
        return pool;
    }

    Gemm gemm() {
        return gemm;
    }

    static boolean anyRequiresGrad(Var... vars) {
        for (Var v : vars) if (v.requiresGrad()) return true;
        return false;
    }

    /**
     * Takes {@code out} as an op's finished output (rounding it on a BF16 tape) and records how its
     * gradient reaches {@code inputs}; records nothing when out needs no gradient.
     */
    void record(Var out, Runnable backward, Var... inputs) {
        if (bf16) {
            float[] v = out.value();
            for (int i = 0, n = out.size(); i < n; i++) v[i] = Half.roundToBf16(v[i]);
        }
        recordUnrounded(out, backward, inputs);
    }

    /** As {@link #record}, leaving out F32 on any tape: for the loss, a reduction kept in F32 as autocast keeps it. */
    void recordUnrounded(Var out, Runnable backward, Var... inputs) {
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
     * (attention probabilities, RMS norm's per-row scales, the loss's gradients of the classifier
     * and of its input).
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
        for (int i = 0; i < seed.length; i++) g[i] += seed[i];
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
        if (root) arrays.endPass();
    }

    /** Forgets the recorded steps without running them (a forward pass whose gradient is not wanted). */
    public void clear() {
        for (Step s : steps) for (Var in : s.inputs()) in.pendingUses--;
        steps.clear();
    }
}

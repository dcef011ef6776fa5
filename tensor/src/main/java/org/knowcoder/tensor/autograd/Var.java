package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.WeightRows;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A [rows, cols] row-major F32 matrix in a computation that a {@link Tape} can differentiate, with
 * its gradient (allocated when the first contribution arrives).
 *
 * <p>Three kinds: parameters (leaves whose gradient is kept and summed over backward passes, so
 * micro-batches accumulate), constants (leaves without a gradient, possibly a frozen weight in its
 * file dtype, which is only a {@link Tensor}) and intermediates made by ops, whose value and gradient
 * the tape drops as soon as backward no longer needs them.
 */
public final class Var {
    private final String name;
    private final int rows, cols;
    private final boolean requiresGrad;
    private float[] value;
    private Tensor tensor;
    private float[] grad;
    /** A parameter's gradient array from before the last {@link #zeroGrad}, reused by the next. */
    private float[] spare;
    /** Where an intermediate's arrays come from and go back to; null for a leaf. */
    private final FloatPool pool;
    /** Backward steps still to run that read this value (intermediates only). */
    int pendingUses;

    private Var(String name, float[] value, Tensor tensor, int rows, int cols, boolean requiresGrad, FloatPool pool) {
        // an intermediate's arrays come from its tape's pool and may be longer than its size, and so may
        // a leaf that stands in for one (Checkpoint's replay)
        if (value != null && value.length < rows * cols) {
            throw new IllegalArgumentException(name + ": " + value.length + " values for shape [" + rows + ", " + cols + "]");
        }
        this.name = name;
        this.value = value;
        this.tensor = tensor;
        this.rows = rows;
        this.cols = cols;
        this.requiresGrad = requiresGrad;
        this.pool = pool;
    }

    /** A trainable parameter over {@code value} (not copied: an optimizer updates it in place). */
    public static Var param(String name, float[] value, int rows, int cols) {
        return new Var(name, value, null, rows, cols, true, null);
    }

    /** A constant over {@code value}. */
    public static Var constant(String name, float[] value, int rows, int cols) {
        return new Var(name, value, null, rows, cols, false, null);
    }

    /** A frozen matrix in any dtype; ops widen it when they need floats. */
    public static Var frozen(Tensor t) {
        return new Var(t.name(), null, t, Math.toIntExact(t.rows()), t.cols(), false, null);
    }

    /** An op's output, zeros from {@code pool}, which its arrays go back to when backward drops them. */
    static Var intermediate(String name, int rows, int cols, boolean requiresGrad, FloatPool pool) {
        return new Var(name, pool.take(rows * cols), null, rows, cols, requiresGrad, pool);
    }

    public String name() { return name; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    public int size() { return rows * cols; }
    public boolean requiresGrad() { return requiresGrad; }
    public boolean isLeaf() { return pool == null; }

    /**
     * The values; null for a frozen tensor (see {@link #floats}) and for an intermediate backward has
     * released. An intermediate's array may be longer than {@link #size}: read the first size() only.
     */
    public float[] value() { return value; }

    /**
     * Makes a parameter compute with {@code values} (same size) instead of its array, until called
     * again; returns the array it replaces. BF16 training swaps in rounded copies of the F32 masters
     * for forward and backward, so the gradient still lands here and the optimizer updates the masters.
     */
    public float[] swapValue(float[] values) {
        if (pool != null || !requiresGrad) throw new IllegalStateException(name + " is not a parameter");
        if (values.length != size()) throw new IllegalArgumentException(values.length + " values for " + this);
        float[] old = value;
        value = values;
        tensor = null;
        return old;
    }

    /** The values as floats: a frozen tensor is widened row by row (a fresh copy each call). */
    public float[] floats() {
        if (value != null) return value;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) WeightRows.decode(tensor, r, out, r * cols);
        return out;
    }

    /** A view as a Tensor: the frozen tensor itself, or an F32 tensor over the value array. */
    public Tensor tensor() {
        if (tensor == null) tensor = Tensor.of(name, DType.F32, MemorySegment.ofArray(value).asSlice(0, 4L * size()), rows, cols);
        return tensor;
    }

    /** The gradient, or null when nothing has contributed to it yet (an intermediate's: the first size() of it, as the value). */
    public float[] grad() { return grad; }

    /** The gradient, allocated as zeros on first use; only for values that require one. */
    public float[] gradForUpdate() {
        if (!requiresGrad) throw new IllegalStateException(name + " does not require a gradient");
        if (grad != null) return grad;
        if (pool != null) {
            grad = pool.take(rows * cols);
        } else if (spare != null) {
            grad = spare;
            spare = null;
            Arrays.fill(grad, 0f);
        } else {
            grad = new float[rows * cols];
        }
        return grad;
    }

    /** Forgets the gradient (an optimizer step consumed it); its array serves the next one, zeroed. */
    public void zeroGrad() {
        if (grad != null) spare = grad;
        grad = null;
    }

    /** Drops an intermediate's value once no backward step reads it, handing its array back to the pool. */
    void releaseValue() {
        if (pool != null && value != null) {
            pool.give(value);
            value = null;
            tensor = null;
        }
    }

    /** Drops an intermediate's gradient once its producer has propagated it, handing its array back to the pool. */
    void releaseGrad() {
        if (pool != null && grad != null) {
            pool.give(grad);
            grad = null;
        }
    }

    @Override
    public String toString() {
        return name + "[" + rows + ", " + cols + "]";
    }
}

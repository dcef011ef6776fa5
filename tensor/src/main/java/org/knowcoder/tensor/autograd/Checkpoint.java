package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.kernels.VectorMath;

/**
 * Activation checkpointing: runs a segment (a transformer layer) without keeping its intermediates
 * from forward to backward. Forward runs the segment on a scratch tape and forgets that tape at once,
 * so only the segment's input and output stay alive; backward runs the segment's forward again on the
 * kept input, just before back-propagating through it. The recomputation repeats the same arithmetic
 * in the same order, and the gradient reaches every parameter and the input in the same order as
 * without checkpointing, so results are bit-identical; the price is one more forward per segment.
 */
public final class Checkpoint {
    /** A piece of the forward pass from one value to another, re-runnable on any tape. */
    @FunctionalInterface
    public interface Segment {
        Var apply(Tape tape, Var input);
    }

    private Checkpoint() {}

    public static Var apply(Tape tape, Var x, Segment segment) {
        Tape scratch = tape.child();
        Var y = segment.apply(scratch, detached(x));
        scratch.clear();
        tape.record(y, () -> {
            Tape replay = tape.child();
            Var input = detached(x);
            Var again = segment.apply(replay, input);
            replay.backward(again, y.grad());
            if (x.requiresGrad() && input.grad() != null) VectorMath.add(x.gradForUpdate(), 0, input.grad(), 0, x.size());
        }, x);
        return y;
    }

    /** A leaf over x's values, so the segment's graph ends there and its gradient can be read off. */
    private static Var detached(Var x) {
        return x.requiresGrad() ? Var.param(x.name(), x.value(), x.rows(), x.cols())
                : Var.constant(x.name(), x.value(), x.rows(), x.cols());
    }
}

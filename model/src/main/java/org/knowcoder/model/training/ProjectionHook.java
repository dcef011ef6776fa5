package org.knowcoder.model.training;

import org.knowcoder.model.Projection;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

/** Changes what a projection returns in the training forward, e.g. adds a LoRA update to the base output. */
@FunctionalInterface
public interface ProjectionHook {
    /** The projection's output, given its input and the base weight's output {@code base}. */
    Var apply(Tape tape, int layer, Projection projection, Var input, Var base);

    /** Draws the random choices of the forwards that follow (dropout masks) from {@code seed}; see {@link TrainingForward#reseed}. */
    default void reseed(long seed) {}
}

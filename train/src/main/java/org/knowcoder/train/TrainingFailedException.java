package org.knowcoder.train;

/**
 * A run that cannot go on although its input was read correctly: the loss or the gradient norm of a
 * step is NaN or infinite. Not bad input (the caller maps it to exit 1), and not a bug either: the
 * message is for the user, one line naming the step.
 */
public final class TrainingFailedException extends RuntimeException {
    public TrainingFailedException(String message) {
        super(message);
    }
}

package org.knowcoder.tensor.autograd;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.ExpSum;

/**
 * loss = sum over rows t of weight[t] * -log softmax(logits[t])[target[t]], divided by
 * {@code denominator}. Weights are the loss mask (0 or 1, or how many examples share the row); the
 * denominator is the number of weighted targets in the whole global batch, so micro-batches'
 * gradients add up to the big batch's.
 * Saves only each row's log-sum-exp; backward rebuilds softmax from the logits:
 * dlogits[t] = weight[t] / denominator * (softmax(logits[t]) - onehot(target[t])).
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    public static Var apply(Tape tape, Var logits, int[] targets, float[] weights, float denominator) {
        int rows = logits.rows(), vocab = logits.cols();
        if (targets.length != rows || weights.length != rows) {
            throw new IllegalArgumentException(targets.length + " targets and " + weights.length + " weights for " + logits);
        }
        for (int t = 0; t < rows; t++) {
            if (weights[t] != 0 && (targets[t] < 0 || targets[t] >= vocab)) {
                throw new IllegalArgumentException("target id " + targets[t] + " is outside the vocabulary of " + vocab);
            }
        }
        float[] x = logits.value();
        float[] lse = new float[rows];
        WorkerPool pool = tape.pool();
        double[] rowLoss = new double[rows];
        pool.parallelFor(rows, (worker, from, to) -> {
            for (int t = from; t < to; t++) {
                if (weights[t] == 0) continue;
                int o = t * vocab;
                float max = ExpSum.max(x, o, vocab);
                lse[t] = max + (float) Math.log(ExpSum.sum(x, o, vocab, max));
                rowLoss[t] = weights[t] * (lse[t] - x[o + targets[t]]);
            }
        });
        double total = 0;
        for (double l : rowLoss) total += l; // row order, whoever computed the rows: the same loss on any number of threads
        Var loss = Var.result("cross_entropy", 1, 1, logits.requiresGrad());
        loss.value()[0] = (float) (total / denominator);
        tape.recordUnrounded(loss, () -> {
            float scale = loss.grad()[0] / denominator;
            float[] xs = logits.value(), dx = logits.gradForUpdate();
            pool.parallelFor(rows, (worker, from, to) -> {
                for (int t = from; t < to; t++) {
                    if (weights[t] == 0) continue;
                    int o = t * vocab;
                    float g = scale * weights[t], m = lse[t];
                    ExpSum.addScaled(g, xs, o, m, dx, o, vocab);
                    dx[o + targets[t]] -= g;
                }
            });
        }, logits);
        return loss;
    }
}

package org.knowcoder.tensor.autograd;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.kernels.ExpSum;
import org.knowcoder.tensor.kernels.Gemm;
import org.knowcoder.tensor.kernels.Gemm.Matrix;
import org.knowcoder.tensor.kernels.VectorMath;

import java.util.Arrays;

/**
 * The classifier and its loss in one op: logits = x W^T for hidden states x [T, dim] and the
 * classifier W [vocab, dim], then loss = sum over rows t of weight[t] * -log softmax(logits[t])[target[t]],
 * divided by {@code denominator}. Weights are the loss mask (0 or 1, or how many examples share the
 * row); the denominator is the number of weighted targets in the whole global batch, so
 * micro-batches' gradients add up to the big batch's.
 *
 * <p>The logits are never held whole (a batch of 2,048 rows over a 32,000-word vocabulary is 262 MB,
 * and as much again for their gradient): they are made {@link #CHUNK} rows at a time, and each
 * chunk, as soon as its loss is known, becomes its own gradient
 * dlogits[t] = weight[t] / denominator * (softmax(logits[t]) - onehot(target[t]))
 * and is multiplied out into dx and dW at once. Backward then only scales those by the loss's
 * incoming gradient (1 from {@link Tape#backward(Var)}, which leaves them as they are) and adds
 * them to x's and W's. The same products as a classifier {@link Linear} followed by a loss on its
 * output, in the same order, and on a BF16 tape the logits are rounded as that Linear's output would
 * be: the same bits where W's gradient starts empty (one micro-batch a step); where it already holds
 * an earlier micro-batch's, dW is summed apart and then added, which rounds differently.
 *
 * <p>The gradients are computed in forward whether or not a backward follows (about twice the
 * classifier's forward time): a loss without backward is better had from {@link Linear}'s logits.
 */
public final class CrossEntropy {
    /** Rows of logits made at a time: 32 MB at a 32,000-word vocabulary, one k-chunk of {@link Gemm}'s dW product. */
    static final int CHUNK = 256;

    private CrossEntropy() {}

    public static Var apply(Tape tape, Var x, Var w, int[] targets, float[] weights, float denominator) {
        int rows = x.rows(), dim = x.cols(), vocab = w.rows();
        if (w.cols() != dim) throw new IllegalArgumentException(w + " cannot classify " + x);
        if (targets.length != rows || weights.length != rows) {
            throw new IllegalArgumentException(targets.length + " targets and " + weights.length + " weights for " + x);
        }
        for (int t = 0; t < rows; t++) {
            if (weights[t] != 0 && (targets[t] < 0 || targets[t] >= vocab)) {
                throw new IllegalArgumentException("target id " + targets[t] + " is outside the vocabulary of " + vocab);
            }
        }
        WorkerPool pool = tape.pool();
        Gemm gemm = tape.gemm();
        float[] xs = x.value(), ws = w.floats();
        Matrix xRows = Matrix.rows(xs, dim), wRows = Matrix.rows(ws, dim), wT = Matrix.transposed(ws, dim);
        boolean gradX = x.requiresGrad(), gradW = w.requiresGrad();
        float[] dx = gradX ? tape.take(rows * dim) : null, dw = gradW ? tape.take(vocab * dim) : null;
        float[] logits = tape.take(Math.min(rows, CHUNK) * vocab);
        Matrix chunk = Matrix.rows(logits, vocab), chunkT = Matrix.transposed(logits, vocab);
        double[] rowLoss = new double[rows];
        float perTarget = 1f / denominator; // times the weight, not weight / denominator: the rounding the loss's separate backward had
        for (int r0 = 0; r0 < rows; r0 += CHUNK) {
            int from = r0, n = Math.min(CHUNK, rows - r0);
            Arrays.fill(logits, 0, n * vocab, 0f);
            gemm.multiplyAdd(xRows.fromRow(from), wT, logits, 0, n, vocab, dim);
            pool.parallelFor(n, (worker, lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    int t = from + i, o = i * vocab;
                    if (tape.bf16()) for (int j = o; j < o + vocab; j++) logits[j] = Half.roundToBf16(logits[j]);
                    if (weights[t] == 0) {
                        Arrays.fill(logits, o, o + vocab, 0f); // no loss, no gradient
                        continue;
                    }
                    float max = ExpSum.max(logits, o, vocab);
                    float lse = max + (float) Math.log(ExpSum.sum(logits, o, vocab, max));
                    rowLoss[t] = weights[t] * (lse - logits[o + targets[t]]);
                    float g = perTarget * weights[t];
                    ExpSum.scaleExp(g, logits, o, lse, vocab);
                    logits[o + targets[t]] -= g;
                }
            });
            if (gradX) gemm.multiplyAdd(chunk, wRows, dx, from * dim, n, dim, vocab);
            if (gradW) gemm.multiplyAdd(chunkT, xRows.fromRow(from), dw, 0, vocab, dim, n);
        }
        tape.give(logits);
        double total = 0;
        for (double l : rowLoss) total += l; // row order, whoever computed the rows: the same loss on any number of threads
        Var loss = tape.result("cross_entropy", 1, 1, gradX || gradW);
        loss.value()[0] = (float) (total / denominator);
        tape.recordUnrounded(loss, () -> {
            float seed = loss.grad()[0];
            if (gradX) {
                VectorMath.axpy(seed, dx, 0, x.gradForUpdate(), 0, rows * dim);
                tape.give(dx);
            }
            if (gradW) {
                VectorMath.axpy(seed, dw, 0, w.gradForUpdate(), 0, vocab * dim);
                tape.give(dw);
            }
        }, x, w);
        return loss;
    }
}

package org.knowcoder.train;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;

import java.util.List;

/**
 * One optimizer step per global batch: forward and backward over each micro-batch (gradients add
 * up in the parameters, every micro-batch loss divided by the global batch's target count, so the
 * sum is the big batch's mean), global-norm clipping, the scheduled learning rate and AdamW.
 * Deterministic: the same state and batches give bit-identical parameters (for a fixed thread count).
 *
 * <p>On a BF16 tape ({@link Tape#bf16}) forward and backward also read BF16-rounded copies of the
 * weights ({@link Bf16Weights}); gradients, the F32 master weights and AdamW's moments are unchanged.
 */
public final class Trainer {
    /** What one step did: its mean loss before the update, learning rate, gradient norm before clipping and tokens seen. */
    public record StepResult(int step, double loss, double lr, double gradNorm, long tokens) {}

    private final TrainingForward forward;
    private final List<Parameter> params;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final double clipNorm;
    private final Tape tape;
    private final Bf16Weights bf16Weights;
    private int step;

    public Trainer(TrainingForward forward, List<Parameter> params, AdamW optimizer, LrSchedule schedule, double clipNorm, Tape tape) {
        this.forward = forward;
        this.params = List.copyOf(params);
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.clipNorm = clipNorm;
        this.tape = tape;
        this.bf16Weights = tape.bf16() ? new Bf16Weights(this.params) : null;
    }

    /** Steps taken so far (the index of the next step). */
    public int step() { return step; }

    /** Continues counting from a checkpoint's step. */
    public void resumeAt(int step) { this.step = step; }

    /** Draws the dropout masks of the step that follows from {@code seed} ({@link TrainingForward#reseed}). */
    public void reseed(long seed) { forward.reseed(seed); }

    public List<Parameter> params() { return params; }
    public AdamW optimizer() { return optimizer; }
    public LrSchedule schedule() { return schedule; }

    /** Runs the step for the global batch made of {@code microBatches}. */
    public StepResult step(List<TokenBatch> microBatches) {
        double loss = accumulate(microBatches);
        long tokens = 0;
        for (TokenBatch b : microBatches) tokens += b.inputs().length;
        return update(loss, tokens);
    }

    /**
     * Clips the accumulated gradients, applies AdamW at the scheduled rate and clears the gradients.
     * A non-finite loss or gradient norm is a {@link TrainingFailedException} before anything changes:
     * AdamW would carry the NaN into every weight, and every later checkpoint and export would hold it.
     */
    public StepResult update(double loss, long tokens) {
        double norm = globalNorm();
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            throw new TrainingFailedException("step " + (step + 1) + ": the loss is " + loss + " and the gradient norm " + norm
                    + "; training stopped before this step's update (the latest checkpoint is unchanged)");
        }
        if (clipNorm > 0) {
            // as torch.nn.utils.clip_grad_norm_: scale by max / (norm + 1e-6) when that is below 1
            double coef = clipNorm / (norm + 1e-6);
            if (coef < 1) for (Parameter p : params) scale(p.var().grad(), (float) coef);
        }
        double lr = schedule.lr(step);
        optimizer.step(params, lr, step + 1, tape.pool());
        for (Parameter p : params) p.var().zeroGrad();
        return new StepResult(step++, loss, lr, norm, tokens);
    }

    /**
     * Forward and backward over each micro-batch, adding into the parameters' gradients; returns the
     * global batch's mean loss. Each micro-batch's loss is divided by the whole batch's target count,
     * so the gradients sum to those of one big batch.
     */
    public double accumulate(List<TokenBatch> microBatches) {
        float denominator = 0;
        for (TokenBatch b : microBatches) denominator += b.weightSum();
        if (denominator == 0) throw new BadInputException("step " + step + ": the batch has no target with loss weight");
        double loss = 0;
        if (bf16Weights != null) bf16Weights.swapIn();
        try {
            for (TokenBatch b : microBatches) {
                Var l = forward.loss(tape, b, denominator);
                loss += l.value()[0];
                tape.backward(l);
            }
        } finally {
            if (bf16Weights != null) bf16Weights.swapOut();
        }
        return loss;
    }

    /** sqrt of the sum of all squared gradients. */
    private double globalNorm() {
        double s = 0;
        for (Parameter p : params) {
            float[] g = p.var().grad();
            if (g == null) continue;
            for (float x : g) s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static void scale(float[] g, float f) {
        if (g == null) return;
        for (int i = 0; i < g.length; i++) g[i] *= f;
    }
}

package org.knowcoder.model.training;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.Projection;
import org.knowcoder.model.RopePermutation;
import org.knowcoder.tensor.autograd.Add;
import org.knowcoder.tensor.autograd.CausalAttention;
import org.knowcoder.tensor.autograd.Checkpoint;
import org.knowcoder.tensor.autograd.CrossEntropy;
import org.knowcoder.tensor.autograd.Dropout;
import org.knowcoder.tensor.autograd.Embedding;
import org.knowcoder.tensor.autograd.Gather;
import org.knowcoder.tensor.autograd.Linear;
import org.knowcoder.tensor.autograd.RmsNorm;
import org.knowcoder.tensor.autograd.RotaryEmbedding;
import org.knowcoder.tensor.autograd.RowLayout;
import org.knowcoder.tensor.autograd.SelectRows;
import org.knowcoder.tensor.autograd.SiluGate;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;
import org.knowcoder.tensor.kernels.Rope;

/**
 * The LLaMA-2 forward pass built from autograd ops, over whole sequences packed one after another
 * (the same arithmetic as {@code LlamaSession}, which runs one conversation with a KV cache).
 * Rotate-half checkpoints have their q/k outputs gathered into adjacent RoPE pairs, as inference does.
 */
public final class TrainingForward {
    private final LlamaParams params;
    private final LlamaConfig c;
    private final ProjectionHook hook;
    private final Rope rope;
    private final int[] qOrder, kOrder;
    private final boolean checkpointActivations;
    /** The probability with which residual dropout zeroes an element (0: none). */
    private final float dropout;
    /** The seed of the dropout masks since {@link #reseed}, and the forwards run since. */
    private long dropoutSeed;
    private int forwards;

    /** {@code hook} may be null (plain projections). */
    public TrainingForward(LlamaParams params, ProjectionHook hook) {
        this(params, hook, false);
    }

    public TrainingForward(LlamaParams params, ProjectionHook hook, boolean checkpointActivations) {
        this(params, hook, checkpointActivations, 0f);
    }

    /**
     * With {@code checkpointActivations}, each layer keeps only its input from forward to backward
     * and runs its forward again during backward ({@link Checkpoint}): same gradients, bit for bit,
     * activation memory of one layer instead of all, one more forward's time (the re-run draws the
     * same dropout masks). With {@code dropout} > 0, each layer's attention and MLP outputs are
     * dropped out ({@link Dropout}) before they join the residual stream, as the Transformer's
     * residual dropout: a regularizer for a small model that otherwise memorizes its few thousand
     * training sentences.
     */
    public TrainingForward(LlamaParams params, ProjectionHook hook, boolean checkpointActivations, float dropout) {
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + dropout);
        this.params = params;
        this.dropout = dropout;
        this.c = params.config();
        this.hook = hook;
        this.checkpointActivations = checkpointActivations;
        this.rope = new Rope(c.headDim(), c.seqLen(), c.ropeTheta());
        this.qOrder = params.rotateHalfLayout() ? RopePermutation.toAdjacentPairs(c.nHeads(), c.headDim()) : null;
        this.kOrder = params.rotateHalfLayout() ? RopePermutation.toAdjacentPairs(c.nKvHeads(), c.headDim()) : null;
    }

    public LlamaParams params() {
        return params;
    }

    /**
     * Draws the dropout masks of the forwards that follow (and the hook's, {@link ProjectionHook#reseed})
     * from {@code seed}: the n-th forward after this call from the seed and n, so that a step whose
     * seed is its number draws the same masks when a resumed run takes it again.
     */
    public void reseed(long seed) {
        dropoutSeed = seed;
        forwards = 0;
        if (hook != null) hook.reseed(seed);
    }

    /** Logits [tokens.length, vocab] for sequences of {@code seqLen} tokens packed in {@code tokens}. */
    public Var logits(Tape tape, int[] tokens, int seqLen) {
        return logits(tape, tokens, seqLen, RowLayout.UNPACKED);
    }

    /** As above, the tokens laid out as {@code layout} says (several examples per sequence: see {@link TokenBatch}). */
    public Var logits(Tape tape, int[] tokens, int seqLen, RowLayout layout) {
        return head(tape, hidden(tape, tokens, seqLen, layout));
    }

    /**
     * The batch's weighted cross-entropy summed and divided by {@code denominator} (see {@link CrossEntropy},
     * which runs the classifier a chunk of rows at a time, never holding the logits whole).
     * The final norm and the classifier run only on the rows whose target counts: an instruction's
     * prompt rows (most of them) need no logits, and the classifier is a fifth of a small model's FLOPs.
     */
    public Var loss(Tape tape, TokenBatch batch, float denominator) {
        Var x = hidden(tape, batch.inputs(), batch.seqLen(), batch.layout());
        float[] weights = batch.weights();
        int counted = 0;
        for (float w : weights) if (w != 0) counted++;
        if (counted == weights.length) return CrossEntropy.apply(tape, finalNorm(tape, x), params.classifier(), batch.targets(), weights, denominator);
        // a micro-batch of prompts only still makes a loss (0) to run backward from: its first row, at weight 0
        int[] rows = new int[Math.max(1, counted)], targets = new int[rows.length];
        float[] kept = new float[rows.length];
        for (int r = 0, i = 0; r < weights.length && i < counted; r++) {
            if (weights[r] == 0) continue;
            rows[i] = r;
            targets[i] = batch.targets()[r];
            kept[i++] = weights[r];
        }
        return CrossEntropy.apply(tape, finalNorm(tape, SelectRows.apply(tape, x, rows)), params.classifier(), targets, kept, denominator);
    }

    /** The last layer's output for every token. */
    private Var hidden(Tape tape, int[] tokens, int seqLen, RowLayout layout) {
        if (seqLen < 1 || tokens.length % seqLen != 0 || layout.span(seqLen) > c.seqLen()) {
            throw new IllegalArgumentException(tokens.length + " tokens are not whole sequences of " + seqLen
                    + " whose positions are within the model's context of " + c.seqLen());
        }
        Var x = Embedding.apply(tape, tokens, params.embedding());
        long seed = mix(dropoutSeed + forwards++);
        for (int l = 0; l < c.nLayers(); l++) {
            int layer = l;
            // the seed is taken now, so that a checkpointed layer's re-run in backward draws the masks it drew
            Checkpoint.Segment block = (t, in) -> layer(t, layer, in, seqLen, layout, seed);
            x = checkpointActivations ? Checkpoint.apply(tape, x, block) : block.apply(tape, x);
        }
        return x;
    }

    /** Logits of hidden states: the final norm, then the classifier. */
    private Var head(Tape tape, Var x) {
        return Linear.apply(tape, finalNorm(tape, x), params.classifier());
    }

    private Var finalNorm(Tape tape, Var x) {
        return RmsNorm.apply(tape, x, params.finalNorm(), c.normEps());
    }

    /** Transformer layer l: x + attention(norm(x)), then + SwiGLU MLP(norm(.)), each branch's output dropped out. */
    private Var layer(Tape tape, int l, Var x, int seqLen, RowLayout layout, long seed) {
        float eps = c.normEps();
        LlamaParams.Layer w = params.layer(l);
        Var h = RmsNorm.apply(tape, x, w.attentionNorm(), eps);
        Var q = project(tape, l, Projection.Q, h, w);
        Var k = project(tape, l, Projection.K, h, w);
        Var v = project(tape, l, Projection.V, h, w);
        if (qOrder != null) {
            q = Gather.apply(tape, q, qOrder);
            k = Gather.apply(tape, k, kOrder);
        }
        q = RotaryEmbedding.apply(tape, q, c.nHeads(), seqLen, layout, rope);
        k = RotaryEmbedding.apply(tape, k, c.nKvHeads(), seqLen, layout, rope);
        Var a = CausalAttention.apply(tape, q, k, v, c.nHeads(), c.nKvHeads(), seqLen, layout);
        x = Add.apply(tape, x, Dropout.apply(tape, project(tape, l, Projection.O, a, w), dropout, mix(seed + 2L * l)));
        h = RmsNorm.apply(tape, x, w.ffnNorm(), eps);
        Var g = SiluGate.apply(tape, project(tape, l, Projection.GATE, h, w), project(tape, l, Projection.UP, h, w));
        return Add.apply(tape, x, Dropout.apply(tape, project(tape, l, Projection.DOWN, g, w), dropout, mix(seed + 2L * l + 1)));
    }

    /** A 64-bit mix (MurmurHash3's finalizer): nearby inputs give unrelated dropout seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    private Var project(Tape tape, int layer, Projection p, Var input, LlamaParams.Layer w) {
        Var base = Linear.apply(tape, input, w.weight(p));
        return hook == null ? base : hook.apply(tape, layer, p, input, base);
    }
}

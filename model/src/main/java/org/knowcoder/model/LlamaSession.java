package org.knowcoder.model;

import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tensor.kernels.Attention;
import org.knowcoder.tensor.kernels.KvCache;
import org.knowcoder.tensor.kernels.MatMul;
import org.knowcoder.tensor.kernels.MatVec;
import org.knowcoder.tensor.kernels.RmsNorm;
import org.knowcoder.tensor.kernels.Rope;
import org.knowcoder.tensor.kernels.SiluGate;
import org.knowcoder.tensor.kernels.VectorMath;
import org.knowcoder.tensor.kernels.WeightRows;

/**
 * One conversation with a LLaMA-2 model: its KV cache and every buffer the forward pass needs,
 * allocated once. {@link #prefill} runs a prompt through in chunks of matrix-matrix products;
 * {@link #forward} advances one token with matrix-vector products. Both return the logits of the
 * last position. Not thread-safe; the parallelism is inside the kernels.
 */
public final class LlamaSession {
    /** Prompt tokens per matrix-matrix pass: enough to reuse each weight row many times, small enough for L2. */
    static final int PREFILL_CHUNK = 128;

    private final LlamaWeights weights;
    private final LlamaConfig c;
    private final MatVec matVec;
    private final MatMul matMul;
    private final Attention attention;
    private final Rope rope;
    private final RopeLayout qLayout;
    private final RopeLayout kLayout;
    private final KvCache cache;
    private final float[] x, xb, q, k, v, att, h1, h3, scratch, logits;
    private final int[] oneToken = new int[1];

    /**
     * Allocates the session. Throws IllegalArgumentException when the KV cache for the model's
     * context cannot be allocated (see {@link KvCache}).
     */
    public LlamaSession(LlamaWeights weights, WorkerPool pool) {
        this.weights = weights;
        this.c = weights.config();
        // first: it checks that the context fits before anything sized by seq_len is allocated
        this.cache = new KvCache(c.nLayers(), c.nKvHeads(), c.headDim(), c.seqLen());
        int widest = Math.max(c.dim(), c.hiddenDim());
        this.matVec = new MatVec(pool, widest);
        this.matMul = new MatMul(pool, widest);
        this.attention = new Attention(pool, c.nHeads(), c.nKvHeads(), c.headDim(), c.seqLen());
        this.rope = new Rope(c.headDim(), c.seqLen(), c.ropeTheta());
        this.qLayout = weights.rotateHalfLayout() ? new RopeLayout(c.nHeads(), c.headDim()) : null;
        this.kLayout = weights.rotateHalfLayout() ? new RopeLayout(c.nKvHeads(), c.headDim()) : null;
        int n = PREFILL_CHUNK;
        this.x = new float[n * c.dim()];
        this.xb = new float[n * c.dim()];
        this.q = new float[n * c.dim()];
        this.k = new float[n * c.kvDim()];
        this.v = new float[n * c.kvDim()];
        this.att = new float[n * c.dim()];
        this.h1 = new float[n * c.hiddenDim()];
        this.h3 = new float[n * c.hiddenDim()];
        this.scratch = new float[c.dim()];
        this.logits = new float[c.vocabSize()];
    }

    public LlamaConfig config() {
        return c;
    }

    /** Feeds {@code token} at position {@code pos}; returns the logits (a buffer reused by the next call). */
    public float[] forward(int token, int pos) {
        checkPositions(pos, 1);
        oneToken[0] = token;
        run(oneToken, 0, 1, pos, true);
        return logits;
    }

    /** Feeds tokens[0..n) at positions start..start+n-1; returns the logits of the last one. */
    public float[] prefill(int[] tokens, int start) {
        checkPositions(start, tokens.length);
        for (int off = 0; off < tokens.length; off += PREFILL_CHUNK) {
            int n = Math.min(PREFILL_CHUNK, tokens.length - off);
            run(tokens, off, n, start + off, off + n == tokens.length);
        }
        return logits;
    }

    private void checkPositions(int start, int n) {
        if (n < 1 || start < 0 || start + n > c.seqLen()) {
            throw new IllegalArgumentException("positions " + start + ".." + (start + n - 1)
                    + " do not fit the model's context of " + c.seqLen());
        }
    }

    private void run(int[] tokens, int off, int n, int start, boolean wantLogits) {
        int dim = c.dim(), kvDim = c.kvDim(), hidden = c.hiddenDim();
        for (int t = 0; t < n; t++) {
            int token = tokens[off + t];
            if (token < 0 || token >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + c.vocabSize());
            }
            WeightRows.lookup(weights.tokenEmbedding(), token, x, t * dim);
        }
        for (int l = 0; l < c.nLayers(); l++) {
            LlamaWeights.Layer layer = weights.layer(l);
            for (int t = 0; t < n; t++) RmsNorm.apply(xb, t * dim, x, t * dim, layer.attentionNorm(), dim, c.normEps());
            project(layer.wq(), xb, n, q);
            project(layer.wk(), xb, n, k);
            project(layer.wv(), xb, n, v);
            for (int t = 0; t < n; t++) {
                int pos = start + t;
                if (qLayout != null) {
                    qLayout.toAdjacentPairs(q, t * dim, scratch);
                    kLayout.toAdjacentPairs(k, t * kvDim, scratch);
                }
                rope.apply(q, t * dim, c.nHeads(), pos);
                rope.apply(k, t * kvDim, c.nKvHeads(), pos);
                cache.store(l, pos, k, t * kvDim, v, t * kvDim);
            }
            attention.apply(q, n, start, cache, l, att);
            project(layer.wo(), att, n, xb);
            VectorMath.add(x, 0, xb, 0, n * dim);

            for (int t = 0; t < n; t++) RmsNorm.apply(xb, t * dim, x, t * dim, layer.ffnNorm(), dim, c.normEps());
            project(layer.w1(), xb, n, h1);
            project(layer.w3(), xb, n, h3);
            SiluGate.apply(h1, 0, h3, 0, n * hidden);
            project(layer.w2(), h1, n, xb);
            VectorMath.add(x, 0, xb, 0, n * dim);
        }
        if (wantLogits) {
            RmsNorm.apply(xb, 0, x, (n - 1) * dim, weights.finalNorm(), dim, c.normEps());
            matVec.apply(weights.classifier(), xb, 0, logits, 0);
        }
    }

    /** out[t] = w in[t] for t < n: a matrix-vector product for one token, matrix-matrix for more. */
    private void project(Tensor w, float[] in, int n, float[] out) {
        if (n == 1) matVec.apply(w, in, 0, out, 0);
        else matMul.apply(w, in, n, out);
    }
}

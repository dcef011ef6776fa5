package org.knowcoder.model.session;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.LowRankUpdates;
import org.knowcoder.model.Projection;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;
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
 * Conversations with a LLaMA-2 model: a KV cache per sequence and every buffer the forward pass
 * needs, allocated once. {@link #prefill} runs a prompt through in chunks of matrix-matrix
 * products; {@link #forward} advances one token with matrix-vector products; both work on
 * sequence 0 and return the logits of the last position. A session of several sequences also
 * advances them together ({@link #decode}: one token each, the weights read once for all) and
 * copies a shared prompt prefix from one sequence's cache to another ({@link #copyPrefix}).
 * Not thread-safe; the parallelism is inside the kernels.
 */
public final class LlamaSession implements DecodingSession {
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
    private final KvCache[] caches;
    private LowRankUpdates adapter;
    private final float[] x, xb, q, k, v, att, h1, h3, scratch, logits, batchLogits;
    private final int[] oneToken = new int[1];
    /** The logits of a pass's marked rows, [row][vocab], before they go to their prompts' places. */
    private float[] markedLogits = new float[0];
    /** Per layer, the products that read one normed input, done as one job when decoding (see {@link MatVec}). */
    private final Tensor[][] qkvWeights, gateUpWeights;
    private final float[][] qkv, gateUp;
    private static final Projection[] QKV = {Projection.Q, Projection.K, Projection.V}, GATE_UP = {Projection.GATE, Projection.UP};
    /** The position and cache of each row of the current pass, and (MARKED passes) where its logits go, or -1. */
    private final int[] rowPosition, rowLogits;
    private final KvCache[] rowCache;

    /**
     * Allocates the session. Throws BadInputException when the KV cache for the model's
     * context cannot be allocated (see {@link KvCache}).
     */
    public LlamaSession(LlamaWeights weights, WorkerPool pool) {
        this(weights, pool, 1);
    }

    /** A session of {@code sequences} KV caches (each the model's full context). */
    public LlamaSession(LlamaWeights weights, WorkerPool pool, int sequences) {
        this.weights = weights;
        this.c = weights.config();
        if (sequences < 1) throw new IllegalArgumentException("a session needs at least one sequence, got " + sequences);
        // first: it checks that the context fits before anything sized by seq_len is allocated
        this.caches = new KvCache[sequences];
        for (int i = 0; i < sequences; i++) caches[i] = new KvCache(c.nLayers(), c.nKvHeads(), c.headDim(), c.seqLen());
        int widest = Math.max(c.dim(), c.hiddenDim());
        this.matVec = new MatVec(pool, widest);
        this.matMul = new MatMul(pool, widest);
        this.attention = new Attention(pool, c.nHeads(), c.nKvHeads(), c.headDim(), c.seqLen());
        this.rope = new Rope(c.headDim(), c.seqLen(), c.ropeTheta());
        this.qLayout = weights.rotateHalfLayout() ? new RopeLayout(c.nHeads(), c.headDim()) : null;
        this.kLayout = weights.rotateHalfLayout() ? new RopeLayout(c.nKvHeads(), c.headDim()) : null;
        int n = Math.max(PREFILL_CHUNK, sequences);
        this.rowPosition = new int[n];
        this.rowLogits = new int[n];
        this.rowCache = new KvCache[n];
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
        this.batchLogits = sequences > 1 ? new float[sequences * c.vocabSize()] : logits;
        this.qkvWeights = new Tensor[c.nLayers()][];
        this.gateUpWeights = new Tensor[c.nLayers()][];
        for (int l = 0; l < c.nLayers(); l++) {
            LlamaWeights.Layer layer = weights.layer(l);
            qkvWeights[l] = new Tensor[] {layer.wq(), layer.wk(), layer.wv()};
            gateUpWeights[l] = new Tensor[] {layer.w1(), layer.w3()};
        }
        this.qkv = new float[][] {q, k, v};
        this.gateUp = new float[][] {h1, h3};
    }

    /** Applies LoRA adapters in every pass from now on, unmerged (null: none). */
    public void useAdapter(LowRankUpdates adapter) {
        this.adapter = adapter;
    }

    @Override
    public int sequences() {
        return caches.length;
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public float[] forward(int token, int pos) {
        checkPositions(pos, 1);
        oneToken[0] = token;
        oneSequence(0, 0, pos, 1);
        run(oneToken, 0, 1, true, Logits.LAST);
        return logits;
    }

    @Override
    public float[] prefill(int sequence, int[] tokens, int start) {
        checkPositions(start, tokens.length);
        for (int off = 0; off < tokens.length; off += PREFILL_CHUNK) {
            int n = Math.min(PREFILL_CHUNK, tokens.length - off);
            oneSequence(sequence, 0, start + off, n);
            run(tokens, off, n, true, off + n == tokens.length ? Logits.LAST : Logits.NONE);
        }
        return logits;
    }

    @Override
    public float[] decode(int[] sequences, int[] tokens, int[] positions, int n) {
        if (n < 1 || n > caches.length) throw new IllegalArgumentException(n + " rows for a session of " + caches.length + " sequences");
        for (int i = 0; i < n; i++) {
            checkPositions(positions[i], 1);
            rowPosition[i] = positions[i];
            rowCache[i] = caches[sequences[i]];
        }
        run(tokens, 0, n, n == 1, Logits.ALL);
        return n == 1 ? logits : batchLogits;
    }

    /**
     * Packs the prompts' rows into matrix-matrix passes together, so short prompt tails (the part
     * after a shared prefix) read each weight once for all of them.
     */
    @Override
    public float[] prefillMany(int[] sequences, int[][] prompts, int[] starts) {
        int count = prompts.length;
        if (count > caches.length) throw new IllegalArgumentException(count + " prompts for a session of " + caches.length + " sequences");
        int total = 0;
        for (int i = 0; i < count; i++) {
            if (prompts[i].length == 0) throw new IllegalArgumentException("prompt " + i + " is empty");
            checkPositions(starts[i], prompts[i].length);
            total += prompts[i].length;
        }
        int[] packed = new int[Math.min(total, PREFILL_CHUNK)];
        int prompt = 0, offset = 0;
        while (prompt < count) {
            int n = 0;
            boolean oneRun = true;
            while (n < packed.length && prompt < count) {
                if (n > 0 && offset == 0) oneRun = false;
                int t = n++;
                packed[t] = prompts[prompt][offset];
                rowPosition[t] = starts[prompt] + offset;
                rowCache[t] = caches[sequences[prompt]];
                rowLogits[t] = ++offset == prompts[prompt].length ? prompt : -1;
                if (rowLogits[t] >= 0) {
                    prompt++;
                    offset = 0;
                }
            }
            run(packed, 0, n, oneRun, Logits.MARKED);
        }
        return count == 1 && caches.length == 1 ? logits : batchLogits;
    }

    @Override
    public boolean packsPrompts() {
        return true;
    }

    @Override
    public void copyPrefix(int from, int to, int length) {
        if (length < 0 || length > c.seqLen()) throw new IllegalArgumentException("a prefix of " + length + " positions does not fit the context of " + c.seqLen());
        if (from != to && length > 0) caches[to].copyPrefix(caches[from], length);
    }

    @Override
    public KvPrefix prefix(int sequence, int[] tokens) {
        int n = tokens.length;
        if (n > c.seqLen()) throw new IllegalArgumentException("a prefix of " + n + " positions does not fit the context of " + c.seqLen());
        float[][] keys = new float[c.nLayers()][n * c.kvDim()], values = new float[c.nLayers()][n * c.kvDim()];
        if (n > 0) for (int l = 0; l < c.nLayers(); l++) caches[sequence].readRun(l, 0, n, keys[l], 0, values[l], 0);
        return new KvPrefix(tokens.clone(), c.kvDim(), keys, values);
    }

    @Override
    public boolean restore(int sequence, KvPrefix p) {
        if (p.layers() != c.nLayers() || p.kvDim() != c.kvDim() || p.length() > c.seqLen()) {
            throw new IllegalArgumentException("a prefix of " + p.layers() + " layers of " + p.kvDim() + " over " + p.length()
                    + " positions does not fit a model of " + c.nLayers() + " layers of " + c.kvDim() + " and a context of " + c.seqLen());
        }
        if (p.length() > 0) for (int l = 0; l < c.nLayers(); l++) caches[sequence].storeRun(l, 0, p.length(), p.keys()[l], 0, p.values()[l], 0);
        return true;
    }

    private void oneSequence(int sequence, int row, int start, int n) {
        for (int t = 0; t < n; t++) {
            rowPosition[row + t] = start + t;
            rowCache[row + t] = caches[sequence];
        }
    }

    /** Which rows of a pass need logits. */
    private enum Logits { NONE, LAST, ALL, MARKED }

    private void checkPositions(int start, int n) {
        if (n < 1 || start < 0 || start + n > c.seqLen()) {
            throw new IllegalArgumentException("positions " + start + ".." + (start + n - 1)
                    + " do not fit the model's context of " + c.seqLen());
        }
    }

    /**
     * One pass over rows [0, n): row t feeds tokens[off + t] at rowPosition[t] into rowCache[t].
     * {@code oneRun}: the rows are consecutive positions of one sequence, so attention takes them
     * in one parallel pass; otherwise each row attends over its own cache (a prompt prefix that
     * caches share read once for all of them).
     */
    private void run(int[] tokens, int off, int n, boolean oneRun, Logits which) {
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
            project(l, QKV, qkvWeights[l], xb, n, qkv);
            for (int t = 0; t < n; t++) {
                int pos = rowPosition[t];
                if (qLayout != null) {
                    qLayout.toAdjacentPairs(q, t * dim, scratch);
                    kLayout.toAdjacentPairs(k, t * kvDim, scratch);
                }
                rope.apply(q, t * dim, c.nHeads(), pos);
                rope.apply(k, t * kvDim, c.nKvHeads(), pos);
                if (!oneRun) rowCache[t].store(l, pos, k, t * kvDim, v, t * kvDim);
            }
            // a run's values go in as one copy
            if (oneRun) rowCache[0].storeRun(l, rowPosition[0], n, k, 0, v, 0);
            if (oneRun) attention.apply(q, 0, n, rowPosition[0], rowCache[0], l, att);
            else attention.applyRows(q, n, rowPosition, rowCache, l, att);
            project(l, Projection.O, layer.wo(), att, n, xb);
            VectorMath.add(x, 0, xb, 0, n * dim);

            for (int t = 0; t < n; t++) RmsNorm.apply(xb, t * dim, x, t * dim, layer.ffnNorm(), dim, c.normEps());
            project(l, GATE_UP, gateUpWeights[l], xb, n, gateUp);
            SiluGate.apply(h1, 0, h3, 0, n * hidden);
            project(l, Projection.DOWN, layer.w2(), h1, n, xb);
            VectorMath.add(x, 0, xb, 0, n * dim);
        }
        if (which == Logits.LAST || (which == Logits.ALL && n == 1)) {
            RmsNorm.apply(xb, 0, x, (n - 1) * dim, weights.finalNorm(), dim, c.normEps());
            matVec.apply(weights.classifier(), xb, 0, logits, 0);
        } else if (which == Logits.ALL) {
            for (int t = 0; t < n; t++) RmsNorm.apply(xb, t * dim, x, t * dim, weights.finalNorm(), dim, c.normEps());
            matMul.apply(weights.classifier(), xb, n, batchLogits);
        } else if (which == Logits.MARKED) {
            // the marked rows' logits in one product: a pass that starts many prompts reads the classifier once
            int m = 0, only = 0;
            for (int t = 0; t < n; t++) {
                if (rowLogits[t] < 0) continue;
                RmsNorm.apply(xb, m++ * dim, x, t * dim, weights.finalNorm(), dim, c.normEps());
                only = rowLogits[t];
            }
            if (m == 1) {
                matVec.apply(weights.classifier(), xb, 0, batchLogits, only * c.vocabSize());
            } else if (m > 1) {
                if (markedLogits.length < m * c.vocabSize()) markedLogits = new float[m * c.vocabSize()];
                matMul.apply(weights.classifier(), xb, m, markedLogits);
                for (int t = 0, i = 0; t < n; t++) {
                    if (rowLogits[t] >= 0) System.arraycopy(markedLogits, i++ * c.vocabSize(), batchLogits, rowLogits[t] * c.vocabSize(), c.vocabSize());
                }
            }
        }
    }

    /**
     * out[t] = w in[t] for t < n: a matrix-vector product for one token, matrix-matrix for more;
     * plus the adapter's low-rank update of this projection, before any layout change (its rows
     * are in the checkpoint's layout, like w's).
     */
    private void project(int layer, Projection p, Tensor w, float[] in, int n, float[] out) {
        if (n == 1) matVec.apply(w, in, 0, out, 0);
        else matMul.apply(w, in, n, out);
        if (adapter != null) adapter.addTo(layer, p, in, n, out);
    }

    /** project() for several products of one input, as one job. */
    private void project(int layer, Projection[] ps, Tensor[] ws, float[] in, int n, float[][] outs) {
        if (n == 1) matVec.apply(ws, in, 0, outs);
        else matMul.apply(ws, in, n, outs);
        if (adapter != null) for (int i = 0; i < ws.length; i++) adapter.addTo(layer, ps[i], in, n, outs[i]);
    }
}

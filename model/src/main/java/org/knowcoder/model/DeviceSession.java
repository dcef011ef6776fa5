package org.knowcoder.model;

import org.knowcoder.tensor.device.Device;
import org.knowcoder.tensor.device.DeviceBuffer;
import org.knowcoder.tensor.device.RopeStyle;

/**
 * LLaMA-2 on any {@link Device}: the weights are uploaded once, the KV cache and every activation
 * live on the device, and a pass sends token ids in and reads the last position's logits out.
 * The forward pass is the same as {@link LlamaSession}'s, one sequence, without adapters; q and k
 * stay in the checkpoint's RoPE layout (the device rotates either), so nothing is permuted per token.
 */
public final class DeviceSession implements DecodingSession {
    private record Layer(DeviceBuffer attentionNorm, DeviceBuffer wq, DeviceBuffer wk, DeviceBuffer wv, DeviceBuffer wo,
                         DeviceBuffer ffnNorm, DeviceBuffer w1, DeviceBuffer w2, DeviceBuffer w3) {}

    private final Device device;
    private final LlamaConfig c;
    private final RopeStyle ropeStyle;
    private final DeviceBuffer embedding, finalNorm, classifier;
    private final Layer[] layers;
    /** Rows per pass: the device's preference, at most the context. */
    private final int rows;
    private final DeviceBuffer tokens, x, xb, q, k, v, att, h1, h3, last, logitsOut, keys, values;
    private final int[] staged;
    private final float[] logits;

    /** Uploads the weights and allocates the cache; throws IllegalArgumentException when the device refuses a size. */
    public DeviceSession(LlamaWeights weights, Device device) {
        this.device = device;
        this.c = weights.config();
        this.ropeStyle = weights.rotateHalfLayout() ? RopeStyle.ROTATE_HALF : RopeStyle.ADJACENT_PAIRS;
        this.embedding = device.upload(weights.tokenEmbedding());
        this.layers = new Layer[c.nLayers()];
        for (int l = 0; l < layers.length; l++) {
            LlamaWeights.Layer w = weights.layer(l);
            layers[l] = new Layer(device.upload("layers." + l + ".attention_norm", w.attentionNorm()),
                    device.upload(w.wq()), device.upload(w.wk()), device.upload(w.wv()), device.upload(w.wo()),
                    device.upload("layers." + l + ".ffn_norm", w.ffnNorm()), device.upload(w.w1()), device.upload(w.w2()), device.upload(w.w3()));
        }
        this.finalNorm = device.upload("norm", weights.finalNorm());
        this.classifier = weights.sharedClassifier() ? embedding : device.upload(weights.classifier());
        this.rows = Math.min(device.preferredRows(), c.seqLen());
        int dim = c.dim(), kvDim = c.kvDim(), hidden = c.hiddenDim();
        this.tokens = device.ints("tokens", rows);
        this.x = device.floats("x", (long) rows * dim);
        this.xb = device.floats("xb", (long) rows * dim);
        this.q = device.floats("q", (long) rows * dim);
        this.k = device.floats("k", (long) rows * kvDim);
        this.v = device.floats("v", (long) rows * kvDim);
        this.att = device.floats("attention", (long) rows * dim);
        this.h1 = device.floats("gate", (long) rows * hidden);
        this.h3 = device.floats("up", (long) rows * hidden);
        this.last = device.floats("last", dim);
        this.logitsOut = device.floats("logits", c.vocabSize());
        long cache = (long) c.nLayers() * c.seqLen() * kvDim;
        this.keys = device.floats("key cache", cache);
        this.values = device.floats("value cache", cache);
        this.staged = new int[rows];
        this.logits = new float[c.vocabSize()];
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public float[] forward(int token, int pos) {
        staged[0] = token;
        run(1, pos, true);
        return logits;
    }

    @Override
    public float[] prefill(int[] prompt, int start) {
        if (prompt.length == 0) throw new IllegalArgumentException("nothing to prefill: the prompt is empty");
        for (int off = 0; off < prompt.length; off += rows) {
            int n = Math.min(rows, prompt.length - off);
            System.arraycopy(prompt, off, staged, 0, n);
            run(n, start + off, off + n == prompt.length);
        }
        return logits;
    }

    /** One pass over staged[0..n) at positions start..start+n-1; reads the last row's logits when asked. */
    private void run(int n, int start, boolean wantLogits) {
        if (start < 0 || start + n > c.seqLen()) {
            throw new IllegalArgumentException("positions " + start + ".." + (start + n - 1) + " do not fit the model's context of " + c.seqLen());
        }
        for (int t = 0; t < n; t++) {
            if (staged[t] < 0 || staged[t] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + staged[t] + " is outside the vocabulary of " + c.vocabSize());
            }
        }
        int dim = c.dim(), kvDim = c.kvDim(), hidden = c.hiddenDim(), headDim = c.headDim();
        device.write(staged, n, tokens);
        device.embed(embedding, tokens, n, x);
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            long layerCache = (long) l * c.seqLen() * kvDim;
            device.rmsNorm(xb, x, w.attentionNorm(), n, dim, c.normEps());
            device.matmul(w.wq(), xb, n, q);
            device.matmul(w.wk(), xb, n, k);
            device.matmul(w.wv(), xb, n, v);
            device.rope(q, n, c.nHeads(), headDim, start, c.ropeTheta(), ropeStyle);
            device.rope(k, n, c.nKvHeads(), headDim, start, c.ropeTheta(), ropeStyle);
            // consecutive positions of one sequence: the rows land in the cache as one block
            device.copy(k, 0, keys, layerCache + (long) start * kvDim, (long) n * kvDim);
            device.copy(v, 0, values, layerCache + (long) start * kvDim, (long) n * kvDim);
            device.attention(att, q, keys, values, layerCache, n, start, c.nHeads(), c.nKvHeads(), headDim);
            device.matmul(w.wo(), att, n, xb);
            device.add(x, xb, (long) n * dim);
            device.rmsNorm(xb, x, w.ffnNorm(), n, dim, c.normEps());
            device.matmul(w.w1(), xb, n, h1);
            device.matmul(w.w3(), xb, n, h3);
            device.siluGate(h1, h3, (long) n * hidden);
            device.matmul(w.w2(), h1, n, xb);
            device.add(x, xb, (long) n * dim);
        }
        if (!wantLogits) return;
        device.copy(x, (long) (n - 1) * dim, last, 0, dim);
        device.rmsNorm(xb, last, finalNorm, 1, dim, c.normEps());
        device.matmul(classifier, xb, 1, logitsOut);
        device.read(logitsOut, 0, logits, logits.length);
    }
}

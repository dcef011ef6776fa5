package org.knowcoder.model.session;

import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tensor.device.DeviceBuffer;
import org.knowcoder.tensor.device.KvShape;
import org.knowcoder.tensor.device.RopeStyle;

/**
 * LLaMA-2 on any {@link Device}: the weights are uploaded once, the KV caches and every activation
 * live on the device, and a pass sends token ids in and reads logits out. The forward pass is the
 * same as {@link LlamaSession}'s, without adapters; q and k stay in the checkpoint's RoPE layout
 * (the device rotates either), so nothing is permuted per token.
 *
 * <p>Rows of one sequence at consecutive positions (a prompt) go through rope, the cache and
 * attention from one starting position; rows of different sequences (a batched decode step) share
 * the weight products and give those three ops each row's sequence and position.
 */
public final class DeviceSession implements DecodingSession {
    private record Layer(DeviceBuffer attentionNorm, DeviceBuffer wq, DeviceBuffer wk, DeviceBuffer wv, DeviceBuffer wo,
                         DeviceBuffer ffnNorm, DeviceBuffer w1, DeviceBuffer w2, DeviceBuffer w3) {}

    private final Device device;
    private final LlamaConfig c;
    private final RopeStyle ropeStyle;
    private final DeviceBuffer embedding, finalNorm, classifier;
    private final Layer[] layers;
    private final int sequences;
    /** Prompt rows per pass: the device's preference, at most the context. */
    private final int chunk;
    private final DeviceBuffer tokens, rowSequences, rowPositions, x, xb, q, k, v, att, h1, h3, last, logitsOut, cache;
    private final int[] staged, rowSequence, rowPosition;
    private final float[] logits, batchLogits;

    /** A session of one sequence. */
    public DeviceSession(LlamaWeights weights, Device device) {
        this(weights, device, 1);
    }

    /**
     * Uploads the weights and allocates {@code sequences} KV caches, each the model's whole context;
     * throws BadInputException when the device refuses a size.
     */
    public DeviceSession(LlamaWeights weights, Device device, int sequences) {
        if (sequences < 1) throw new IllegalArgumentException("a session needs at least one sequence, got " + sequences);
        this.device = device;
        this.c = weights.config();
        this.sequences = sequences;
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
        this.chunk = Math.min(device.preferredRows(), c.seqLen());
        int rows = Math.max(chunk, sequences), dim = c.dim(), kvDim = c.kvDim(), hidden = c.hiddenDim();
        this.tokens = device.ints("tokens", rows);
        this.rowSequences = device.ints("row sequences", rows);
        this.rowPositions = device.ints("row positions", rows);
        this.x = device.floats("x", (long) rows * dim);
        this.xb = device.floats("xb", (long) rows * dim);
        this.q = device.floats("q", (long) rows * dim);
        this.k = device.floats("k", (long) rows * kvDim);
        this.v = device.floats("v", (long) rows * kvDim);
        this.att = device.floats("attention", (long) rows * dim);
        this.h1 = device.floats("gate", (long) rows * hidden);
        this.h3 = device.floats("up", (long) rows * hidden);
        this.last = device.floats("last", dim);
        this.logitsOut = device.floats("logits", (long) sequences * c.vocabSize());
        this.cache = device.kvCache("KV cache", new KvShape(sequences, c.nLayers(), c.seqLen(), c.nKvHeads(), c.headDim()));
        this.staged = new int[rows];
        this.rowSequence = new int[rows];
        this.rowPosition = new int[rows];
        this.logits = new float[c.vocabSize()];
        this.batchLogits = sequences > 1 ? new float[sequences * c.vocabSize()] : logits;
    }

    @Override
    public LlamaConfig config() {
        return c;
    }

    @Override
    public int sequences() {
        return sequences;
    }

    @Override
    public float[] forward(int token, int pos) {
        checkPositions(pos, 1);
        staged[0] = token;
        rowSequence[0] = 0;
        rowPosition[0] = pos;
        run(1, true, true);
        return logits;
    }

    @Override
    public float[] prefill(int sequence, int[] prompt, int start) {
        if (prompt.length == 0) throw new IllegalArgumentException("nothing to prefill: the prompt is empty");
        checkSequence(sequence);
        checkPositions(start, prompt.length);
        for (int off = 0; off < prompt.length; off += chunk) {
            int n = Math.min(chunk, prompt.length - off);
            for (int t = 0; t < n; t++) {
                staged[t] = prompt[off + t];
                rowSequence[t] = sequence;
                rowPosition[t] = start + off + t;
            }
            run(n, true, off + n == prompt.length);
        }
        return logits;
    }

    @Override
    public float[] prefillMany(int[] sequences, int[][] prompts, int[] starts) {
        if (prompts.length > this.sequences) throw new IllegalArgumentException(prompts.length + " prompts for a session of " + this.sequences + " sequences");
        for (int i = 0; i < prompts.length; i++) {
            float[] last = prefill(sequences[i], prompts[i], starts[i]);
            if (batchLogits != logits) System.arraycopy(last, 0, batchLogits, i * c.vocabSize(), c.vocabSize());
        }
        return batchLogits;
    }

    @Override
    public float[] decode(int[] sequences, int[] tokens, int[] positions, int n) {
        if (n < 1 || n > this.sequences) throw new IllegalArgumentException(n + " rows for a session of " + this.sequences + " sequences");
        for (int t = 0; t < n; t++) {
            checkSequence(sequences[t]);
            checkPositions(positions[t], 1);
            staged[t] = tokens[t];
            rowSequence[t] = sequences[t];
            rowPosition[t] = positions[t];
        }
        run(n, n == 1, false);
        int vocab = c.vocabSize();
        device.rmsNorm(xb, x, finalNorm, n, c.dim(), c.normEps());
        device.matmul(classifier, xb, n, logitsOut);
        device.read(logitsOut, 0, batchLogits, n * vocab);
        return batchLogits;
    }

    @Override
    public void copyPrefix(int from, int to, int length) {
        checkSequence(from);
        checkSequence(to);
        if (length < 0 || length > c.seqLen()) throw new IllegalArgumentException("a prefix of " + length + " positions does not fit the context of " + c.seqLen());
        if (from == to || length == 0) return;
        device.copyKv(cache, from, to, length);
    }

    private void checkSequence(int sequence) {
        if (sequence < 0 || sequence >= sequences) throw new IllegalArgumentException("sequence " + sequence + " is not in a session of " + sequences);
    }

    private void checkPositions(int start, int n) {
        if (start < 0 || start + n > c.seqLen()) {
            throw new IllegalArgumentException("positions " + start + ".." + (start + n - 1) + " do not fit the model's context of " + c.seqLen());
        }
    }

    /**
     * One pass over staged[0..n), row t at rowPosition[t] of rowSequence[t]. {@code oneRun}: the rows
     * are consecutive positions of one sequence. {@code lastLogits}: read the last row's logits into
     * {@link #logits}; otherwise x holds the rows' final hidden states.
     */
    private void run(int n, boolean oneRun, boolean lastLogits) {
        for (int t = 0; t < n; t++) {
            if (staged[t] < 0 || staged[t] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + staged[t] + " is outside the vocabulary of " + c.vocabSize());
            }
        }
        int dim = c.dim(), hidden = c.hiddenDim(), headDim = c.headDim();
        device.write(staged, n, tokens);
        int maxPosition = 0;
        if (!oneRun) {
            device.write(rowSequence, n, rowSequences);
            device.write(rowPosition, n, rowPositions);
            for (int t = 0; t < n; t++) maxPosition = Math.max(maxPosition, rowPosition[t]);
        }
        device.embed(embedding, tokens, n, x);
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            device.rmsNorm(xb, x, w.attentionNorm(), n, dim, c.normEps());
            device.matmul(w.wq(), xb, n, q);
            device.matmul(w.wk(), xb, n, k);
            device.matmul(w.wv(), xb, n, v);
            if (oneRun) {
                int sequence = rowSequence[0], start = rowPosition[0];
                device.rope(q, n, c.nHeads(), headDim, start, c.ropeTheta(), ropeStyle);
                device.rope(k, n, c.nKvHeads(), headDim, start, c.ropeTheta(), ropeStyle);
                device.storeKv(cache, l, sequence, start, k, v, n);
                device.attention(att, q, cache, l, sequence, start, n, c.nHeads());
            } else {
                device.ropeAt(q, n, c.nHeads(), headDim, rowPositions, c.ropeTheta(), ropeStyle);
                device.ropeAt(k, n, c.nKvHeads(), headDim, rowPositions, c.ropeTheta(), ropeStyle);
                device.storeKvAt(cache, l, k, v, rowSequences, rowPositions, n);
                device.attentionAt(att, q, cache, l, rowSequences, rowPositions, maxPosition, n, c.nHeads());
            }
            device.matmul(w.wo(), att, n, xb);
            device.add(x, xb, (long) n * dim);
            device.rmsNorm(xb, x, w.ffnNorm(), n, dim, c.normEps());
            device.matmul(w.w1(), xb, n, h1);
            device.matmul(w.w3(), xb, n, h3);
            device.siluGate(h1, h3, (long) n * hidden);
            device.matmul(w.w2(), h1, n, xb);
            device.add(x, xb, (long) n * dim);
        }
        if (!lastLogits) return;
        device.copy(x, (long) (n - 1) * dim, last, 0, dim);
        device.rmsNorm(xb, last, finalNorm, 1, dim, c.normEps());
        device.matmul(classifier, xb, 1, logitsOut);
        device.read(logitsOut, 0, logits, logits.length);
    }
}

package org.knowcoder.tensor.device;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.kernels.Attention;
import org.knowcoder.tensor.kernels.KvCache;

/**
 * A {@link CpuDevice} KV cache: one {@link KvCache} per sequence, in the layout the tuned
 * {@link Attention} kernel reads, and that kernel, made for the first head count asked for.
 */
final class CpuKvCache implements DeviceBuffer {
    private final String name;
    private final KvShape shape;
    private final KvCache[] sequences;
    private KvCache[] rows = new KvCache[0];
    private Attention attention;
    private int attentionHeads;

    CpuKvCache(String name, KvShape shape) {
        this.name = name;
        this.shape = shape;
        this.sequences = new KvCache[shape.sequences()];
        for (int s = 0; s < sequences.length; s++) sequences[s] = new KvCache(shape.layers(), shape.nKvHeads(), shape.headDim(), shape.positions());
    }

    static CpuKvCache of(DeviceBuffer b) {
        if (b instanceof CpuKvCache c) return c;
        throw new IllegalArgumentException("buffer " + b.name() + " is not a KV cache of the CPU device");
    }

    @Override
    public String name() {
        return name;
    }

    KvCache sequence(int s) {
        if (s < 0 || s >= sequences.length) throw new IllegalArgumentException(name + " has no sequence " + s + " of " + sequences.length);
        return sequences[s];
    }

    /** The caches of rows [0, n) whose sequences are seq[0, n), in an array reused from call to call. */
    KvCache[] rows(int[] seq, int n) {
        if (rows.length < n) rows = new KvCache[n];
        for (int t = 0; t < n; t++) rows[t] = sequence(seq[t]);
        return rows;
    }

    int kvDim() {
        return shape.kvDim();
    }

    Attention attention(WorkerPool pool, int nHeads) {
        if (attention == null || attentionHeads != nHeads) {
            attention = new Attention(pool, nHeads, shape.nKvHeads(), shape.headDim(), shape.positions());
            attentionHeads = nHeads;
        }
        return attention;
    }

    void copy(int from, int to, int length) {
        sequence(to).copyPrefix(sequence(from), length);
    }
}

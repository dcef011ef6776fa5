package org.knowcoder.tensor.device;

import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tensor.kernels.Attention;
import org.knowcoder.tensor.kernels.KvCache;

/**
 * A {@link CpuDevice} KV cache: one {@link KvCache} per sequence, in the layout the tuned
 * {@link Attention} kernel reads, and that kernel, made for the first head count asked for.
 */
final class CpuKvCache implements DeviceBuffer {
    private final String name;
    private final KvCache[] sequences;
    private final int nKvHeads, headDim, positions;
    private Attention attention;
    private int attentionHeads;

    CpuKvCache(String name, int sequences, int layers, int positions, int nKvHeads, int headDim) {
        this.name = name;
        this.sequences = new KvCache[sequences];
        for (int s = 0; s < sequences; s++) this.sequences[s] = new KvCache(layers, nKvHeads, headDim, positions);
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.positions = positions;
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

    int kvDim() {
        return nKvHeads * headDim;
    }

    Attention attention(WorkerPool pool, int nHeads) {
        if (attention == null || attentionHeads != nHeads) {
            attention = new Attention(pool, nHeads, nKvHeads, headDim, positions);
            attentionHeads = nHeads;
        }
        return attention;
    }

    void copy(int from, int to, int length) {
        sequence(to).copyPrefix(sequence(from), length);
    }
}

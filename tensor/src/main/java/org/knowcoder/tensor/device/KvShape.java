package org.knowcoder.tensor.device;

/**
 * The shape of a session's KV caches: {@code sequences} caches of {@code layers} layers, each
 * {@code positions} positions of nKvHeads * headDim keys and as many values.
 */
public record KvShape(int sequences, int layers, int positions, int nKvHeads, int headDim) {
    public KvShape {
        if (sequences < 1 || layers < 1 || positions < 1 || nKvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("a KV cache of " + this + " holds nothing");
        }
    }

    /** Keys (or values) of one position. */
    public int kvDim() {
        return nKvHeads * headDim;
    }

    /** Keys (or values) of every sequence, layer and position. */
    public long floats() {
        return (long) sequences * layers * positions * kvDim();
    }
}

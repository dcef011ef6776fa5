package org.knowcoder.cuda;

import org.knowcoder.tensor.device.DeviceBuffer;

/**
 * A {@link CudaDevice} KV cache: keys and values as rows, [sequence][layer][position][kvDim], the
 * layout the attention kernels read; one F32 buffer each.
 */
final class CudaKvCache implements DeviceBuffer {
    final String name;
    final CudaBuffer keys, values;
    final int sequences, layers, positions, nKvHeads, headDim;

    CudaKvCache(String name, CudaBuffer keys, CudaBuffer values, int sequences, int layers, int positions, int nKvHeads, int headDim) {
        this.name = name;
        this.keys = keys;
        this.values = values;
        this.sequences = sequences;
        this.layers = layers;
        this.positions = positions;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
    }

    static CudaKvCache of(DeviceBuffer b) {
        if (b instanceof CudaKvCache c) return c;
        throw new IllegalArgumentException("buffer " + b.name() + " is not a KV cache of a CUDA device");
    }

    @Override
    public String name() {
        return name;
    }

    int kvDim() {
        return nKvHeads * headDim;
    }

    /** Floats between one sequence's cache and the next's. */
    long sequenceStride() {
        return (long) layers * positions * kvDim();
    }

    /** Where {@code layer} of {@code sequence}'s cache starts, in floats. */
    long offset(int sequence, int layer) {
        if (sequence < 0 || sequence >= sequences || layer < 0 || layer >= layers) {
            throw new IllegalArgumentException(name + " has no layer " + layer + " of sequence " + sequence);
        }
        return sequence * sequenceStride() + (long) layer * positions * kvDim();
    }
}

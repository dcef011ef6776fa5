package org.knowcoder.cuda;

import org.knowcoder.tensor.device.DeviceBuffer;
import org.knowcoder.tensor.device.KvShape;

/**
 * A {@link CudaDevice} KV cache: keys and values as rows, [sequence][layer][position][kvDim], the
 * layout the attention kernels read; one F32 buffer each.
 */
record CudaKvCache(String name, CudaBuffer keys, CudaBuffer values, KvShape shape) implements DeviceBuffer {
    static CudaKvCache of(DeviceBuffer b) {
        if (b instanceof CudaKvCache c) return c;
        throw new IllegalArgumentException("buffer " + b.name() + " is not a KV cache of a CUDA device");
    }

    int kvDim() {
        return shape.kvDim();
    }

    /** Floats between one sequence's cache and the next's. */
    long sequenceStride() {
        return (long) shape.layers() * shape.positions() * kvDim();
    }

    /** Where {@code layer} of {@code sequence}'s cache starts, in floats. */
    long offset(int sequence, int layer) {
        if (sequence < 0 || sequence >= shape.sequences() || layer < 0 || layer >= shape.layers()) {
            throw new IllegalArgumentException(name + " has no layer " + layer + " of sequence " + sequence);
        }
        return sequence * sequenceStride() + (long) layer * shape.positions() * kvDim();
    }
}

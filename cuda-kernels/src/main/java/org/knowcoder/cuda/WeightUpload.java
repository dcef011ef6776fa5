package org.knowcoder.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

/**
 * Copies weights of any size from host memory (a file's mapping, off-heap or heap memory) to the
 * GPU through one reusable direct staging buffer: JCuda takes direct buffers, and a mapping of a
 * large checkpoint cannot be one ByteBuffer (2 GB limit).
 */
final class WeightUpload implements AutoCloseable {
    private static final int STAGE_BYTES = 64 << 20;

    private ByteBuffer stage;

    void copy(MemorySegment src, CUdeviceptr dst) {
        if (stage == null) stage = ByteBuffer.allocateDirect(STAGE_BYTES);
        MemorySegment staging = MemorySegment.ofBuffer(stage);
        for (long off = 0; off < src.byteSize(); off += STAGE_BYTES) {
            long n = Math.min(STAGE_BYTES, src.byteSize() - off);
            MemorySegment.copy(src, off, staging, 0, n);
            cuMemcpyHtoD(dst.withByteOffset(off), Pointer.to(stage), n);
        }
    }

    /** Lets the staging buffer go once the weights are up. */
    @Override
    public void close() {
        stage = null;
    }
}

package org.knowcoder.cuda;

import jcuda.driver.CUdeviceptr;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.device.DeviceBuffer;

/**
 * Device memory of a {@link CudaDevice}: F32 activations, int32 ids, or a weight [rows, cols] in its
 * dtype (Q8_0 with its scales in a second allocation).
 */
final class CudaBuffer implements DeviceBuffer {
    final String name;
    final DType dtype;
    final CUdeviceptr data;
    final long length;
    final long rows;
    final int cols;
    final CUdeviceptr scales;
    final int groupSize;
    final boolean ints;

    private CudaBuffer(String name, DType dtype, CUdeviceptr data, long length, long rows, int cols, CUdeviceptr scales,
                       int groupSize, boolean ints) {
        this.name = name;
        this.dtype = dtype;
        this.data = data;
        this.length = length;
        this.rows = rows;
        this.cols = cols;
        this.scales = scales;
        this.groupSize = groupSize;
        this.ints = ints;
    }

    static CudaBuffer floats(String name, CUdeviceptr data, long length) {
        return new CudaBuffer(name, DType.F32, data, length, 1, 0, null, 0, false);
    }

    static CudaBuffer ints(String name, CUdeviceptr data, long length) {
        return new CudaBuffer(name, DType.F32, data, length, 1, 0, null, 0, true);
    }

    static CudaBuffer weight(String name, DType dtype, CUdeviceptr data, long rows, int cols, CUdeviceptr scales, int groupSize) {
        return new CudaBuffer(name, dtype, data, rows * cols, rows, cols, scales, groupSize, false);
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code b} as an F32 buffer of this backend holding at least {@code n} values. */
    static CudaBuffer activations(DeviceBuffer b, long n) {
        CudaBuffer c = of(b);
        if (c.ints || c.cols != 0) throw new IllegalArgumentException("buffer " + c.name + " does not hold F32 activations");
        if (c.length < n) throw new IllegalArgumentException("buffer " + c.name + " holds " + c.length + " values, " + n + " needed");
        return c;
    }

    /** {@code b} as an int32 buffer of this backend holding at least {@code n} values. */
    static CudaBuffer ids(DeviceBuffer b, long n) {
        CudaBuffer c = of(b);
        if (!c.ints || c.length < n) throw new IllegalArgumentException("buffer " + c.name + " does not hold " + n + " int32 ids");
        return c;
    }

    /** {@code b} as a weight of this backend. */
    static CudaBuffer weightOf(DeviceBuffer b) {
        CudaBuffer c = of(b);
        if (c.cols == 0) throw new IllegalArgumentException("buffer " + c.name + " is not a weight");
        return c;
    }

    private static CudaBuffer of(DeviceBuffer b) {
        if (b instanceof CudaBuffer c) return c;
        throw new IllegalArgumentException("buffer " + b.name() + " belongs to another device");
    }

    /** Bytes of a weight's values (Q8_0: one byte each, scales not counted). */
    long bytes() {
        return length * dtype.bytes;
    }

    /** The address of element {@code offset} (F32 or int32). */
    CUdeviceptr at(long offset) {
        return offset == 0 ? data : data.withByteOffset(offset * 4);
    }
}

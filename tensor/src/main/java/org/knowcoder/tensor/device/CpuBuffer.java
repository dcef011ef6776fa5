package org.knowcoder.tensor.device;

import org.knowcoder.tensor.Tensor;

/** A {@link CpuDevice} buffer: a weight tensor, F32 values or int32 ids, in host memory. */
final class CpuBuffer implements DeviceBuffer {
    private final String name;
    private final Tensor weight;
    private final float[] floats;
    private final int[] ints;

    CpuBuffer(String name, Tensor weight, float[] floats, int[] ints) {
        this.name = name;
        this.weight = weight;
        this.floats = floats;
        this.ints = ints;
    }

    static CpuBuffer of(DeviceBuffer b) {
        if (b instanceof CpuBuffer c) return c;
        throw new IllegalArgumentException("buffer " + b.name() + " belongs to another device");
    }

    @Override
    public String name() {
        return name;
    }

    Tensor weight() {
        if (weight == null) throw new IllegalArgumentException("buffer " + name + " is not a weight");
        return weight;
    }

    float[] floats() {
        if (floats == null) throw new IllegalArgumentException("buffer " + name + " does not hold F32 values");
        return floats;
    }

    int[] ints() {
        if (ints == null) throw new IllegalArgumentException("buffer " + name + " does not hold int32 ids");
        return ints;
    }
}

package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector species, chosen once: the widest float vector the CPU has, and the int/byte shapes that pair with it. */
final class Simd {
    private Simd() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int FL = F.length();
    /** Ints of the same width as {@link #F}: one int holds two 16-bit weights. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Bytes that widen to exactly one {@link #F} vector. */
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(FL * 8));
}

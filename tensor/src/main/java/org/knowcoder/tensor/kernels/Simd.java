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
    /**
     * Whether int8 weights can be widened a vector at a time: that needs a byte vector of FL lanes,
     * and the narrowest byte vector is 64 bits, so 128-bit machines (FL = 4) take the scalar path.
     */
    static final boolean WIDEN_BYTES = FL >= 8;
    /** Bytes that widen to exactly one {@link #F} vector (only used when {@link #WIDEN_BYTES}). */
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Math.max(64, FL * 8)));

    /**
     * The lanes of {@code v} summed first to last. reduceLanes(ADD) may associate differently in
     * compiled and interpreted code, so a sum that must come out the same on every run (training
     * resumes bit for bit) adds the lanes in this fixed order instead.
     */
    static float sumInOrder(FloatVector v) {
        float s = 0;
        for (int i = 0; i < FL; i++) s += v.lane(i);
        return s;
    }
}

package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
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
     * The lanes of {@code v} summed in a fixed order: halving steps that add lane i + h to lane i
     * (h = FL/2, .., 2, 1), the order C2 compiles reduceLanes(ADD) to on x86. reduceLanes itself
     * sums first to last when interpreted or compiled by C1, so its bits depend on whether the JIT
     * has compiled the caller yet, which on a busy machine is a matter of timing (issue 23, item 20:
     * F32 weights on the heap decoded unlike the same weights mapped, whose kernel was compiled at
     * another moment). Lane-wise adds and constant shuffles round the same in every tier.
     */
    static float sum(FloatVector v) {
        if (FL > 32) v = v.add(v.rearrange(SWAP32));
        if (FL > 16) v = v.add(v.rearrange(SWAP16));
        if (FL > 8) v = v.add(v.rearrange(SWAP8));
        if (FL > 4) v = v.add(v.rearrange(SWAP4));
        if (FL > 2) v = v.add(v.rearrange(SWAP2));
        return v.add(v.rearrange(SWAP1)).lane(0);
    }

    /** Shuffles taking lane i from lane i ^ h, for {@link #sum} (64 floats: the widest vectors, SVE's 2048 bits). */
    private static final VectorShuffle<Float> SWAP32 = swap(32), SWAP16 = swap(16), SWAP8 = swap(8), SWAP4 = swap(4),
            SWAP2 = swap(2), SWAP1 = swap(1);

    /** The lane swap of distance h; the identity when h is not below FL (such a step is skipped). */
    private static VectorShuffle<Float> swap(int h) {
        return VectorShuffle.fromOp(F, i -> h < FL ? i ^ h : i);
    }
}

package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
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
    /** 16-bit weights that widen to exactly one {@link #F} vector (FL >= 4, so at least the narrowest, 64-bit, shape). */
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(FL * 16));

    /**
     * The lanes of {@code v} summed in a fixed order: halving steps that add lane i + h to lane i
     * (h = FL/2, .., 2, 1), the order C2 compiles reduceLanes(ADD) to on x86. reduceLanes itself
     * sums first to last when interpreted or compiled by C1, so its bits depend on whether the JIT
     * has compiled the caller yet, which on a busy machine is a matter of timing (issue 23, item 20:
     * F32 weights on the heap decoded unlike the same weights mapped, whose kernel was compiled at
     * another moment). Lane-wise and scalar adds, blends and shuffles round the same in every tier.
     */
    static float sum(FloatVector v) {
        return lastFour(halve(halve(halve(halve(v, WIDE1), WIDE2), WIDE3), WIDE4));
    }

    /**
     * The sums of a, b, c and d, each formed exactly as {@link #sum} forms it, in lanes 0, FL/4,
     * FL/2 and 3FL/4: the first two halving steps of two vectors at a time, so that four sums cost
     * about what one does.
     */
    static FloatVector sum4(FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        return finish(pair2(pair1(a, c), pair1(b, d)));
    }

    /** out[o .. o+8) = the sums of the eight vectors in acc[0 .. 8 FL), each formed as {@link #sum} forms it. */
    static void sum8(float[] acc, int at, float[] out, int o) {
        sum4(acc, at / FL, out, o);
        sum4(acc, at / FL + 4, out, o + 4);
    }

    /**
     * out[o .. o+4) = the sums of vectors first .. first+3 of acc, each formed as {@link #sum} forms
     * it. Kernels of many accumulators leave them in memory for this rather than pass them to
     * {@link #sum4} themselves (see {@code WeightRows.dot}).
     */
    static void sum4(float[] acc, int first, float[] out, int o) {
        store4(sum4(load(acc, first), load(acc, first + 1), load(acc, first + 2), load(acc, first + 3)), out, o);
    }

    private static FloatVector load(float[] acc, int k) {
        return FloatVector.fromArray(F, acc, k * FL);
    }

    /** out[o .. o+4) = the four sums of {@link #sum4}, gathered into the first lanes and stored at once. */
    static void store4(FloatVector sums, float[] out, int o) {
        sums.rearrange(GATHER4).intoArray(out, o, FIRST4);
    }

    // The steps below are methods this small (bytecode under C2's MaxInlineSize, 35 bytes) so that
    // they are inlined at every call site, cold ones too: a vector passed to a method that is not
    // inlined is allocated (with sum() as one method, the F32 matrix-vector product allocated a
    // vector per row and ran at half speed). Shuffles and masks are constants, and a step that
    // does not exist for this FL is a null one, so that C2 parses as few nodes as it can: the
    // 8-row kernels reached its inlining node limit with them looked up in arrays, and the Q8_0 row
    // kernel with sum() done in vector steps to the last lane.

    /** The halving steps 2 and 1 of {@link #sum}, on lanes 0 .. 3, as scalars: fewer nodes for C2 than two more vector steps. */
    private static float lastFour(FloatVector v) {
        return (v.lane(0) + v.lane(2)) + (v.lane(1) + v.lane(3));
    }

    /** The halving steps FL/8 .. 1 (none of them for FL = 4). */
    private static FloatVector finish(FloatVector v) {
        return halve(halve(halve(halve(v, SWAP3), SWAP4), SWAP5), SWAP6);
    }

    /** One halving step: lane i plus lane i ^ h, s taking lane i from lane i ^ h; none when s is null. */
    private static FloatVector halve(FloatVector v, VectorShuffle<Float> s) {
        return s == null ? v : v.add(v.rearrange(s));
    }

    /** Halving step FL/2 of two vectors at once ({@link #pair}). */
    private static FloatVector pair1(FloatVector p, FloatVector q) {
        return pair(p, q, SWAP1, UPPER1);
    }

    /** Halving step FL/4 of two vectors at once ({@link #pair}). */
    private static FloatVector pair2(FloatVector p, FloatVector q) {
        return pair(p, q, SWAP2, UPPER2);
    }

    /**
     * Halving step h of two vectors at once: lanes i with bit h clear (outside {@code upper}) get
     * p[i] + p[i ^ h], the others q[i] + q[i ^ h], each the same sum as {@link #halve} forms
     * (floating-point addition commutes).
     */
    private static FloatVector pair(FloatVector p, FloatVector q, VectorShuffle<Float> s, VectorMask<Float> upper) {
        return p.blend(q, upper).add(q.blend(p, upper).rearrange(s));
    }

    /**
     * SWAPk: lane i takes lane i ^ FL/2^k; null where FL/2^k is below 1 (vectors have at most 64
     * floats, SVE's 2048 bits). UPPERk: the lanes with bit FL/2^k set.
     */
    private static final VectorShuffle<Float> SWAP1 = swap(FL / 2), SWAP2 = swap(FL / 4), SWAP3 = swap(FL / 8),
            SWAP4 = swap(FL / 16), SWAP5 = swap(FL / 32), SWAP6 = swap(FL / 64);
    private static final VectorMask<Float> UPPER1 = upper(FL / 2), UPPER2 = upper(FL / 4);
    /** {@link #sum}'s vector steps: those of distance 4 and more (none for FL = 4). */
    private static final VectorShuffle<Float> WIDE1 = FL / 2 >= 4 ? SWAP1 : null, WIDE2 = FL / 4 >= 4 ? SWAP2 : null,
            WIDE3 = FL / 8 >= 4 ? SWAP3 : null, WIDE4 = FL / 16 >= 4 ? SWAP4 : null;
    /** Lane j < 4 takes lane j * FL/4, where {@link #sum4} leaves sum j; the first four lanes. */
    private static final VectorShuffle<Float> GATHER4 = VectorShuffle.fromOp(F, j -> j < 4 ? j * FL / 4 : j);
    private static final VectorMask<Float> FIRST4 = F.indexInRange(0, 4);

    private static VectorShuffle<Float> swap(int h) {
        return h == 0 ? null : VectorShuffle.fromOp(F, i -> i ^ h);
    }

    private static VectorMask<Float> upper(int h) {
        boolean[] bits = new boolean[FL];
        for (int i = 0; i < FL; i++) bits[i] = (i & h) != 0;
        return VectorMask.fromArray(F, bits, 0);
    }
}

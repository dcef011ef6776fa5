package org.knowcoder.bench;

import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.MatVec;
import org.openjdk.jmh.annotations.Benchmark;

import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Param;


/**
 * The decoding kernel: one matrix-vector product over a stories110M-sized weight in each weight
 * dtype. Each call uses the next of several copies of the matrix, together at least 256 MiB, so
 * the weights come from DRAM as in real decoding and not from the 32 MB L3. The "gbPerSecond" counter
 * gives the weight bandwidth achieved; compare it with {@link MemoryBandwidthBenchmark}.
 */
public class MatVecBenchmark extends KernelBenchmark {
    static final long WORKING_SET = 256L << 20;

    /** F32_HEAP: F32 weights in float[] arrays, as generate decodes F32 checkpoints. */
    @Param({"F32", "F32_HEAP", "BF16", "F16", "Q8_0", "Q4_0", "Q4_K"})
    public String dtype;

    /** rows x cols: w1/w3 of stories110M, and its classifier. */
    @Param({"2048x768", "32000x768"})
    public String shape;

    /**
     * Bytes past a 64-byte boundary where each copy's data starts: 0, or 48 as in our
     * stories110M-shaped BF16 export (a safetensors header is padded to 8 bytes only), whose BF16
     * rows then take the aligned-stream kernel.
     */
    @Param({"0", "48"})
    public int offset;

    private MatVec matVec;
    private Tensor[] copies;
    private float[] x, out;
    private int next;

    @Override
    protected void prepare() {
        int[] rc = rowsAndCols(shape);
        int rows = rc[0], cols = rc[1];
        boolean heap = dtype.equals("F32_HEAP");
        copies = Shapes.copies(RandomWeights.matrix("w", DType.parse(heap ? "F32" : dtype), rows, cols, 1, arena), WORKING_SET, arena);
        MatVecAB.atOffset(copies, offset, arena);
        if (heap) {
            for (int i = 0; i < copies.length; i++) {
                float[] values = new float[Math.toIntExact(copies[i].numel())];
                MemorySegment.copy(copies[i].data(), Tensor.F32_LE, 0, values, 0, values.length);
                copies[i] = Tensor.ofFloatArray(copies[i].name(), values, copies[i].shape());
            }
        }
        matVec = new MatVec(pool, cols);
        x = Shapes.randomVector(cols, 2);
        out = new float[rows];
    }

    @Benchmark
    public float[] matVec(Bandwidth bandwidth) {
        Tensor w = copies[next];
        next = next + 1 == copies.length ? 0 : next + 1;
        matVec.apply(w, x, 0, out, 0);
        bandwidth.gbPerSecond += w.weightBytes() / 1e9;
        return out;
    }
}

package org.knowcoder.model;

import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q8Quantizer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random LLaMA weights for tests and benchmarks, in off-heap memory: matrices ~ N(0, 0.02) (the
 * usual initialisation, which keeps activations and logits of a deep random model finite and
 * varied), norm weights uniform in [0.8, 1.2] so a misplaced norm changes the output. The same
 * seed gives the same weights.
 */
public final class RandomWeights {
    private RandomWeights() {}

    static final float STD = 0.02f;

    /** An F32 model in the adjacent-pair RoPE layout; close it to free the memory. */
    public static LlamaWeights create(LlamaConfig c, boolean sharedClassifier, long seed) {
        Arena arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(seed);
        long d = c.dim(), hd = c.hiddenDim(), kv = c.kvDim(), V = c.vocabSize();
        Tensor emb = matrix("tok_embeddings", DType.F32, V, d, rng.split(), arena);
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "layers." + l + ".";
            layers.add(new LlamaWeights.Layer(norm(c.dim(), rng),
                    matrix(p + "wq", DType.F32, d, d, rng.split(), arena),
                    matrix(p + "wk", DType.F32, kv, d, rng.split(), arena),
                    matrix(p + "wv", DType.F32, kv, d, rng.split(), arena),
                    matrix(p + "wo", DType.F32, d, d, rng.split(), arena),
                    norm(c.dim(), rng),
                    matrix(p + "w1", DType.F32, hd, d, rng.split(), arena),
                    matrix(p + "w2", DType.F32, d, hd, rng.split(), arena),
                    matrix(p + "w3", DType.F32, hd, d, rng.split(), arena)));
        }
        float[] finalNorm = norm(c.dim(), rng);
        Tensor cls = sharedClassifier ? emb : matrix("output", DType.F32, V, d, rng.split(), arena);
        return new LlamaWeights(c, emb, layers, finalNorm, cls, false, arena);
    }

    /**
     * A random [rows, cols] matrix in {@code dtype}, allocated in {@code arena}. Q8_0 uses groups of
     * 64, or 32 when 64 does not divide a row.
     */
    public static Tensor matrix(String name, DType dtype, long rows, long cols, long seed, Arena arena) {
        return matrix(name, dtype, rows, cols, new SplittableRandom(seed), arena);
    }

    private static Tensor matrix(String name, DType dtype, long rows, long cols, SplittableRandom rng, Arena arena) {
        if (dtype == DType.Q8_0) {
            try (Arena scratch = Arena.ofConfined()) {
                return Q8Quantizer.quantize(matrix(name, DType.F32, rows, cols, rng, scratch), cols % 64 == 0 ? 64 : 32, arena);
            }
        }
        MemorySegment seg = arena.allocate(rows * cols * dtype.bytes, 64);
        float[] row = new float[Math.toIntExact(cols)];
        for (long r = 0; r < rows; r++) {
            for (int i = 0; i < row.length; i++) row[i] = (float) rng.nextGaussian() * STD;
            long base = r * cols;
            switch (dtype) {
                case F32 -> MemorySegment.copy(row, 0, seg, Tensor.F32_LE, base * 4, row.length);
                case BF16 -> { for (int i = 0; i < row.length; i++) seg.set(Tensor.I16_LE, (base + i) * 2, Half.floatToBf16(row[i])); }
                case F16 -> { for (int i = 0; i < row.length; i++) seg.set(Tensor.I16_LE, (base + i) * 2, Half.floatToF16(row[i])); }
                default -> throw new AssertionError(dtype);
            }
        }
        return Tensor.of(name, dtype, seg, rows, cols);
    }

    private static float[] norm(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.8f + 0.4f * (float) rng.nextDouble();
        return v;
    }
}

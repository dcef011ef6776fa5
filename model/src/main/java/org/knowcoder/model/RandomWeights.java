package org.knowcoder.model;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Half;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q4Quantizer;
import org.knowcoder.tensor.kernels.Q8Quantizer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random LLaMA weights in off-heap memory, for tests and benchmarks: matrices ~ N(0, 0.02) (the
 * usual initialisation, which keeps activations and logits of a deep random model finite and
 * varied), norm weights uniform in [0.8, 1.2] so a misplaced norm changes the output; and
 * ({@link #initial}) a new model to train, with norms 1. The same seed gives the same weights.
 */
public final class RandomWeights {
    private RandomWeights() {}

    static final float STD = 0.02f;

    /** An F32 model in the adjacent-pair RoPE layout; close it to free the memory. */
    public static LlamaWeights create(LlamaConfig c, boolean sharedClassifier, long seed) {
        return create(c, sharedClassifier, seed, DType.F32);
    }

    /**
     * A new model for training from scratch: the matrices of {@link #create} (N(0, 0.02), the scale
     * LLaMA and GPT-2 start from) and every norm weight 1, so each RMSNorm starts as a plain
     * normalisation as a trainer's freshly built model does.
     */
    public static LlamaWeights initial(LlamaConfig c, boolean sharedClassifier, long seed) {
        LlamaWeights w = create(c, sharedClassifier, seed);
        for (LlamaWeights.Layer l : w.layers()) {
            Arrays.fill(l.attentionNorm(), 1f);
            Arrays.fill(l.ffnNorm(), 1f);
        }
        Arrays.fill(w.finalNorm(), 1f);
        return w;
    }

    /**
     * A model whose matrices are in {@code dtype} (F32, F16 or BF16: the F32 model's values,
     * rounded). The random streams are split in a fixed order and the matrices then filled in
     * parallel, so a 7B-shaped model takes seconds per core, and the same seed gives the same model.
     */
    public static LlamaWeights create(LlamaConfig c, boolean sharedClassifier, long seed, DType dtype) {
        if (dtype == DType.Q8_0 || dtype.isQ4()) throw new IllegalArgumentException("random " + dtype + " models come from quantize() of an F32 one");
        Arena arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(seed);
        long d = c.dim(), hd = c.hiddenDim(), kv = c.kvDim(), V = c.vocabSize();
        List<Runnable> fills = new ArrayList<>();
        Tensor emb = pending("tok_embeddings", dtype, V, d, rng.split(), arena, fills);
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "layers." + l + ".";
            layers.add(new LlamaWeights.Layer(norm(c.dim(), rng),
                    pending(p + "wq", dtype, d, d, rng.split(), arena, fills),
                    pending(p + "wk", dtype, kv, d, rng.split(), arena, fills),
                    pending(p + "wv", dtype, kv, d, rng.split(), arena, fills),
                    pending(p + "wo", dtype, d, d, rng.split(), arena, fills),
                    norm(c.dim(), rng),
                    pending(p + "w1", dtype, hd, d, rng.split(), arena, fills),
                    pending(p + "w2", dtype, d, hd, rng.split(), arena, fills),
                    pending(p + "w3", dtype, hd, d, rng.split(), arena, fills)));
        }
        float[] finalNorm = norm(c.dim(), rng);
        Tensor cls = sharedClassifier ? emb : pending("output", dtype, V, d, rng.split(), arena, fills);
        try (WorkerPool pool = WorkerPool.allCores()) {
            pool.parallelFor(fills.size(), (worker, from, to) -> {
                for (int i = from; i < to; i++) fills.get(i).run();
            });
        }
        return new LlamaWeights(c, emb, layers, finalNorm, cls, false, arena);
    }

    /** An allocated matrix, and in {@code fills} the work that gives it its values from {@code rng}. */
    private static Tensor pending(String name, DType dtype, long rows, long cols, SplittableRandom rng, Arena arena,
                                  List<Runnable> fills) {
        Tensor t = Tensor.of(name, dtype, arena.allocate(rows * cols * dtype.bytes, 64), rows, cols);
        fills.add(() -> fill(t, rng));
        return t;
    }

    /**
     * A random [rows, cols] matrix in {@code dtype}, allocated in {@code arena}. Q8_0 uses groups of
     * 64, or 32 when 64 does not divide a row; Q4_0 and Q4_K are quantized from F32 as --quantize does.
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
        if (dtype.isQ4()) {
            try (Arena scratch = Arena.ofConfined()) {
                return Q4Quantizer.quantize(matrix(name, DType.F32, rows, cols, rng, scratch), dtype, arena);
            }
        }
        Tensor t = Tensor.of(name, dtype, arena.allocate(rows * cols * dtype.bytes, 64), rows, cols);
        fill(t, rng);
        return t;
    }

    /**
     * The next row of a random matrix from {@code rng}: N(0, STD) values. Writers that stream a model
     * too large to hold draw its rows with this, so their values are distributed as these models' are.
     */
    public static void gaussianRow(SplittableRandom rng, float[] row) {
        for (int i = 0; i < row.length; i++) row[i] = (float) rng.nextGaussian() * STD;
    }

    /** N(0, STD) values, row by row, stored in the tensor's dtype. */
    private static void fill(Tensor t, SplittableRandom rng) {
        MemorySegment seg = t.data();
        float[] row = new float[t.cols()];
        for (long r = 0; r < t.rows(); r++) {
            gaussianRow(rng, row);
            long base = r * row.length;
            switch (t.dtype()) {
                case F32 -> MemorySegment.copy(row, 0, seg, Tensor.F32_LE, base * 4, row.length);
                case BF16 -> { for (int i = 0; i < row.length; i++) seg.set(Tensor.I16_LE, (base + i) * 2, Half.floatToBf16(row[i])); }
                case F16 -> { for (int i = 0; i < row.length; i++) seg.set(Tensor.I16_LE, (base + i) * 2, Half.floatToF16(row[i])); }
                default -> throw new AssertionError(t.dtype());
            }
        }
    }

    /** A random norm weight vector: uniform in [0.8, 1.2], so that a misplaced norm changes the output. */
    public static float[] norm(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.8f + 0.4f * (float) rng.nextDouble();
        return v;
    }
}

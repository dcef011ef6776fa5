package org.knowcoder.bench;

import org.knowcoder.tensor.kernels.Attention;
import org.knowcoder.tensor.kernels.KvCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Random;

/**
 * A batched decoding step's attention ({@link Attention#applyRows}): {@code rows} sequences, each
 * holding a {@code prefix}-position prompt prefix and {@code own} positions of its own, one query
 * each. {@code copied}: the caches took the prefix by {@link KvCache#copyPrefix} from one source,
 * so the kernel reads it once for four rows; {@code stored}: the same floats stored in each cache
 * (no source known), so every row reads its own copy, as before shared prefixes were read together.
 * Shapes: KnowCoder-mini's (6 heads of 32) and LLaMA-2-7B's (32 heads of 128). Scores one layer.
 */
public class AttentionBenchmark extends KernelBenchmark {
    @Param({"6x32", "32x128"})
    public String heads;

    @Param({"64"})
    public int rows;

    @Param({"200"})
    public int prefix;

    @Param({"20"})
    public int own;

    @Param({"copied", "stored"})
    public String caches;

    private Attention attention;
    private KvCache[] rowCaches;
    private int[] positions;
    private float[] q, out;

    @Override
    protected void prepare() {
        int[] hd = rowsAndCols(heads);
        int nHeads = hd[0], headDim = hd[1], kvDim = nHeads * headDim, max = prefix + own;
        Random rnd = new Random(1);
        float[] k = new float[kvDim], v = new float[kvDim];
        KvCache source = new KvCache(1, nHeads, headDim, max);
        rowCaches = new KvCache[rows];
        positions = new int[rows];
        for (int r = 0; r < rows; r++) rowCaches[r] = new KvCache(1, nHeads, headDim, max);
        for (int p = 0; p < prefix; p++) {
            fill(rnd, k, v);
            source.store(0, p, k, 0, v, 0);
            if (caches.equals("stored")) for (KvCache c : rowCaches) c.store(0, p, k, 0, v, 0);
        }
        for (int r = 0; r < rows; r++) {
            if (caches.equals("copied")) rowCaches[r].copyPrefix(source, prefix);
            for (int p = prefix; p < max; p++) {
                fill(rnd, k, v);
                rowCaches[r].store(0, p, k, 0, v, 0);
            }
            positions[r] = max - 1;
        }
        q = new float[rows * kvDim];
        for (int i = 0; i < q.length; i++) q[i] = (float) rnd.nextGaussian();
        out = new float[rows * kvDim];
        attention = new Attention(pool, nHeads, nHeads, headDim, max);
    }

    private static void fill(Random rnd, float[] k, float[] v) {
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) rnd.nextGaussian();
            v[i] = (float) rnd.nextGaussian();
        }
    }

    @Benchmark
    public float[] step() {
        attention.applyRows(q, rows, positions, rowCaches, 0, out);
        return out;
    }
}

package org.knowcoder.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.device.CpuDevice;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tensor.device.DeviceBuffer;
import org.knowcoder.tensor.device.KvShape;
import org.knowcoder.tensor.device.RopeStyle;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.knowcoder.testing.TestPool;

import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * Every op of the CUDA device against the CPU device on the same inputs: within 1e-4 for F32
 * weights, 1e-2 for 16-bit and Q8_0 ones, relative to values above 1 (the CPU widens the same
 * stored weights, so mostly the order of additions differs). Sizes are chosen off the kernels'
 * tiles and vector widths.
 */
class CudaOpParityTest {
    private static final WorkerPool pool = TestPool.TWO_THREADS;
    private static final Device cpu = new CpuDevice(pool);
    private static final Arena arena = Arena.ofShared();

    @ParameterizedTest(name = "{0}, {1} rows, {2} x {3}")
    @CsvSource({"F32, 1, 100, 36", "F32, 5, 100, 36", "F32, 16, 100, 36", "F32, 37, 100, 36", "F32, 130, 768, 260",
            "BF16, 1, 96, 40", "BF16, 3, 96, 40", "BF16, 70, 200, 96", "F16, 1, 96, 40", "F16, 4, 96, 40", "F16, 65, 160, 72",
            "Q8_0, 1, 256, 64", "Q8_0, 6, 256, 64", "Q8_0, 33, 128, 96"})
    void matmul(DType dtype, int rows, int outDim, int in) {
        CudaDevice gpu = Gpu.device();
        Tensor w = RandomWeights.matrix("w", dtype, outDim, in, 1, arena);
        float[] x = random(rows * in, 2);
        float[] expected = run(cpu, dev -> {
            DeviceBuffer out = dev.floats("out", (long) rows * outDim);
            dev.matmul(dev.upload(w), dev.upload("x", x), rows, out);
            return out;
        }, rows * outDim);
        float[] actual = run(gpu, dev -> {
            DeviceBuffer out = dev.floats("out", (long) rows * outDim);
            dev.matmul(dev.upload(w), dev.upload("x", x), rows, out);
            return out;
        }, rows * outDim);
        double tol = dtype == DType.F32 ? 1e-4 : 1e-2;
        assertArraysClose(expected, actual, tol, tol, dtype + " matmul");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K"}, mode = EnumSource.Mode.EXCLUDE) // CPU only
    void embedding(DType dtype) {
        CudaDevice gpu = Gpu.device();
        Tensor table = RandomWeights.matrix("table", dtype, 50, 64, 3, arena);
        int[] ids = {0, 49, 7, 7, 21};
        Op op = dev -> {
            DeviceBuffer tokens = dev.ints("tokens", ids.length), out = dev.floats("out", ids.length * 64L);
            dev.write(ids, ids.length, tokens);
            dev.embed(dev.upload(table), tokens, ids.length, out);
            return out;
        };
        assertArraysClose(run(cpu, op, ids.length * 64), run(gpu, op, ids.length * 64), 0, 0, dtype + " embedding");
    }

    @Test
    void rmsNormSiluGateAddAndCopy() {
        CudaDevice gpu = Gpu.device();
        int rows = 3, dim = 259;
        float[] x = random(rows * dim, 4), w = random(dim, 5), y = random(rows * dim, 6);
        Op op = dev -> {
            DeviceBuffer a = dev.upload("x", x), b = dev.upload("y", y), out = dev.floats("out", (long) rows * dim);
            dev.rmsNorm(out, a, dev.upload("w", w), rows, dim, 1e-5f);
            dev.siluGate(out, b, (long) rows * dim);
            dev.add(out, a, (long) rows * dim);
            dev.copy(out, dim, out, 0, 17); // row 1's head over row 0's
            return out;
        };
        assertArraysClose(run(cpu, op, rows * dim), run(gpu, op, rows * dim), 1e-4, 1e-4, "rmsnorm, silu-gate, add, copy");
    }

    @ParameterizedTest
    @EnumSource(RopeStyle.class)
    void rope(RopeStyle style) {
        CudaDevice gpu = Gpu.device();
        int rows = 5, heads = 3, headDim = 64;
        float[] x = random(rows * heads * headDim, 7);
        Op op = dev -> {
            DeviceBuffer v = dev.upload("x", x);
            dev.rope(v, rows, heads, headDim, 900, 10000f, style);
            return v;
        };
        assertArraysClose(run(cpu, op, x.length), run(gpu, op, x.length), 1e-4, 1e-4, style + " rope");
    }

    @ParameterizedTest(name = "{0} rows from position {1}, {2} heads over {3} kv heads")
    @CsvSource({"1, 0, 4, 4", "1, 300, 8, 2", "7, 0, 4, 1", "19, 41, 6, 3"})
    void attention(int rows, int startPos, int heads, int kvHeads) {
        CudaDevice gpu = Gpu.device();
        int headDim = 48, positions = startPos + rows, kvDim = kvHeads * headDim;
        float[] q = random(rows * heads * headDim, 8), keys = random(positions * kvDim, 9), values = random(positions * kvDim, 10);
        Op op = dev -> {
            // layer 1 of sequence 1: a cache that does not start at 0
            DeviceBuffer cache = dev.kvCache("cache", new KvShape(2, 2, positions + 3, kvHeads, headDim));
            dev.storeKv(cache, 1, 1, 0, dev.upload("k", keys), dev.upload("v", values), positions);
            DeviceBuffer out = dev.floats("out", (long) rows * heads * headDim);
            dev.attention(out, dev.upload("q", q), cache, 1, 1, startPos, rows, heads);
            return out;
        };
        assertArraysClose(run(cpu, op, q.length), run(gpu, op, q.length), 1e-4, 1e-4, "attention");
    }

    /**
     * A batched decode step's ops: rows of three sequences at their own positions (out of order, one
     * past another's), rotated, stored into their caches and attended over them; a prefix copied
     * from one sequence to another first.
     */
    @ParameterizedTest
    @EnumSource(RopeStyle.class)
    void ropeStoreAndAttentionAtEachRowsPosition(RopeStyle style) {
        CudaDevice gpu = Gpu.device();
        int heads = 6, kvHeads = 2, headDim = 48, kvDim = kvHeads * headDim, seqLen = 400;
        int[] sequences = {2, 0, 1, 0}, positions = {399, 7, 0, 300};
        int rows = sequences.length;
        float[] q = random(rows * heads * headDim, 11), k = random(rows * kvDim, 12), v = random(rows * kvDim, 13),
                keys = random(seqLen * kvDim, 14), values = random(seqLen * kvDim, 15);
        Op op = dev -> {
            DeviceBuffer seq = dev.ints("sequences", rows), pos = dev.ints("positions", rows);
            dev.write(sequences, rows, seq);
            dev.write(positions, rows, pos);
            DeviceBuffer cache = dev.kvCache("cache", new KvShape(3, 2, seqLen, kvHeads, headDim));
            DeviceBuffer kc = dev.upload("keys", keys), vc = dev.upload("values", values);
            for (int s = 0; s < 3; s += 2) {
                for (int l = 0; l < 2; l++) dev.storeKv(cache, l, s, 0, kc, vc, seqLen);
            }
            dev.copyKv(cache, 0, 1, 200);
            DeviceBuffer qb = dev.upload("q", q), kb = dev.upload("k", k);
            dev.ropeAt(qb, rows, heads, headDim, pos, 10000f, style);
            dev.ropeAt(kb, rows, kvHeads, headDim, pos, 10000f, style);
            dev.storeKvAt(cache, 1, kb, dev.upload("v", v), seq, pos, rows);
            DeviceBuffer out = dev.floats("out", (long) rows * heads * headDim);
            dev.attentionAt(out, qb, cache, 1, seq, pos, 399, rows, heads);
            return out;
        };
        assertArraysClose(run(cpu, op, q.length), run(gpu, op, q.length), 1e-4, 1e-4, style + " rope, cache store and attention at each row's position");
    }

    /** An op on one device, returning the buffer to compare. */
    interface Op {
        DeviceBuffer apply(Device device);
    }

    private static float[] run(Device device, Op op, int n) {
        float[] out = new float[n];
        device.read(op.apply(device), 0, out, n);
        return out;
    }

    static float[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }
}

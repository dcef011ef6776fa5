package org.knowcoder.tensor.device;

import java.util.function.IntUnaryOperator;
import org.knowcoder.io.BadInputException;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Attention;
import org.knowcoder.tensor.kernels.MatMul;
import org.knowcoder.tensor.kernels.MatVec;
import org.knowcoder.tensor.kernels.RmsNorm;
import org.knowcoder.tensor.kernels.Rope;
import org.knowcoder.tensor.kernels.SiluGate;
import org.knowcoder.tensor.kernels.VectorMath;
import org.knowcoder.tensor.kernels.WeightRows;

/**
 * The {@link Device} interface on the CPU kernels: the reference every other backend is checked
 * against op by op, and the way to run device-neutral model code in tests. Matrix products run on
 * the worker pool, attention with the tuned kernel over the KV cache layout it reads ({@link CpuKvCache}).
 */
public final class CpuDevice implements Device {
    private final WorkerPool pool;
    private int widestInput;
    private MatVec matVec;
    private MatMul matMul;
    private Rope rope;
    private float ropeTheta;

    public CpuDevice(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public String description() {
        return "cpu, " + pool.threads() + " threads";
    }

    @Override
    public int preferredRows() {
        return 128;
    }

    @Override
    public DeviceBuffer upload(Tensor weight) {
        if (weight.shape().length == 2 && weight.cols() > widestInput) {
            // the product kernels size their input scratch by the widest weight they will see
            widestInput = weight.cols();
            matVec = new MatVec(pool, widestInput);
            matMul = new MatMul(pool, widestInput);
        }
        return new CpuBuffer(weight.name(), weight, null, null);
    }

    @Override
    public DeviceBuffer upload(String name, float[] values) {
        return new CpuBuffer(name, null, values.clone(), null);
    }

    @Override
    public DeviceBuffer floats(String name, long n) {
        if (n > Integer.MAX_VALUE - 8) throw new BadInputException(name + ": " + n + " values do not fit one CPU buffer");
        return new CpuBuffer(name, null, new float[(int) n], null);
    }

    @Override
    public DeviceBuffer ints(String name, int n) {
        return new CpuBuffer(name, null, null, new int[n]);
    }

    @Override
    public void write(int[] src, int n, DeviceBuffer dst) {
        System.arraycopy(src, 0, CpuBuffer.of(dst).ints(), 0, n);
    }

    @Override
    public void read(DeviceBuffer src, long offset, float[] dst, int n) {
        System.arraycopy(CpuBuffer.of(src).floats(), Math.toIntExact(offset), dst, 0, n);
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long n) {
        System.arraycopy(CpuBuffer.of(src).floats(), Math.toIntExact(srcOffset),
                CpuBuffer.of(dst).floats(), Math.toIntExact(dstOffset), Math.toIntExact(n));
    }

    @Override
    public void embed(DeviceBuffer table, DeviceBuffer tokens, int n, DeviceBuffer out) {
        Tensor t = CpuBuffer.of(table).weight();
        int[] ids = CpuBuffer.of(tokens).ints();
        float[] o = CpuBuffer.of(out).floats();
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= t.rows()) {
                throw new IllegalArgumentException("token id " + ids[i] + " is outside " + t.name() + "'s " + t.rows() + " rows");
            }
            WeightRows.lookup(t, ids[i], o, i * t.cols());
        }
    }

    @Override
    public void rmsNorm(DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        float[] o = CpuBuffer.of(out).floats(), in = CpuBuffer.of(x).floats(), w = CpuBuffer.of(weight).floats();
        for (int r = 0; r < rows; r++) RmsNorm.apply(o, r * dim, in, r * dim, w, dim, eps);
    }

    @Override
    public void matmul(DeviceBuffer w, DeviceBuffer x, int rows, DeviceBuffer out) {
        Tensor weight = CpuBuffer.of(w).weight();
        float[] in = CpuBuffer.of(x).floats(), o = CpuBuffer.of(out).floats();
        if (rows == 1) matVec.apply(weight, in, 0, o, 0);
        else matMul.apply(weight, in, rows, o);
    }

    @Override
    public void rope(DeviceBuffer x, int rows, int heads, int headDim, int startPos, float theta, RopeStyle style) {
        rotate(CpuBuffer.of(x).floats(), rows, heads, headDim, t -> startPos + t, startPos + rows, theta, style);
    }

    @Override
    public void ropeAt(DeviceBuffer x, int rows, int heads, int headDim, DeviceBuffer positions, float theta, RopeStyle style) {
        int[] pos = CpuBuffer.of(positions).ints();
        int highest = 0;
        for (int t = 0; t < rows; t++) highest = Math.max(highest, pos[t]);
        rotate(CpuBuffer.of(x).floats(), rows, heads, headDim, t -> pos[t], highest + 1, theta, style);
    }

    /** Rotates rows [0, rows) of v in place, row t at position position(t), every one below {@code positions}. */
    private void rotate(float[] v, int rows, int heads, int headDim, IntUnaryOperator position, int positions, float theta, RopeStyle style) {
        Rope table = ropeTable(headDim, positions, theta);
        int half = headDim / 2;
        // a pair is (base + i, base + i + stride): stride 1 and index 2i for adjacent pairs, stride half and index i for rotate-half
        int stride = style == RopeStyle.ADJACENT_PAIRS ? 1 : half;
        int step = style == RopeStyle.ADJACENT_PAIRS ? 2 : 1;
        for (int t = 0; t < rows; t++) {
            int pos = position.applyAsInt(t);
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float c = table.cos(pos, i), s = table.sin(pos, i);
                    int ia = base + i * step, ib = ia + stride;
                    float a = v[ia], b = v[ib];
                    v[ia] = a * c - b * s;
                    v[ib] = a * s + b * c;
                }
            }
        }
    }

    /** The RoPE table, rebuilt (doubling) only when a pass reaches past the positions it holds. */
    private Rope ropeTable(int headDim, int positions, float theta) {
        if (rope == null || ropeTheta != theta || rope.headDim() != headDim || rope.maxPositions() < positions) {
            int capacity = Math.max(positions, rope == null ? 256 : 2 * rope.maxPositions());
            rope = new Rope(headDim, capacity, theta);
            ropeTheta = theta;
        }
        return rope;
    }

    @Override
    public DeviceBuffer kvCache(String name, KvShape shape) {
        return new CpuKvCache(name, shape);
    }

    @Override
    public void storeKv(DeviceBuffer cache, int layer, int sequence, int start, DeviceBuffer k, DeviceBuffer v, int rows) {
        CpuKvCache.of(cache).sequence(sequence).storeRun(layer, start, rows, CpuBuffer.of(k).floats(), 0, CpuBuffer.of(v).floats(), 0);
    }

    @Override
    public void attention(DeviceBuffer out, DeviceBuffer q, DeviceBuffer cache, int layer, int sequence, int start, int rows, int nHeads) {
        CpuKvCache c = CpuKvCache.of(cache);
        c.attention(pool, nHeads).apply(CpuBuffer.of(q).floats(), 0, rows, start, c.sequence(sequence), layer, CpuBuffer.of(out).floats());
    }

    @Override
    public void copyKv(DeviceBuffer cache, int from, int to, int length) {
        CpuKvCache.of(cache).copy(from, to, length);
    }

    @Override
    public void storeKvAt(DeviceBuffer cache, int layer, DeviceBuffer k, DeviceBuffer v, DeviceBuffer sequences, DeviceBuffer positions, int rows) {
        CpuKvCache c = CpuKvCache.of(cache);
        float[] kRows = CpuBuffer.of(k).floats(), vRows = CpuBuffer.of(v).floats();
        int[] seq = CpuBuffer.of(sequences).ints(), pos = CpuBuffer.of(positions).ints();
        int kvDim = c.kvDim();
        for (int t = 0; t < rows; t++) c.sequence(seq[t]).store(layer, pos[t], kRows, t * kvDim, vRows, t * kvDim);
    }

    @Override
    public void attentionAt(DeviceBuffer out, DeviceBuffer q, DeviceBuffer cache, int layer, DeviceBuffer sequences, DeviceBuffer positions,
                            int maxPosition, int rows, int nHeads) {
        CpuKvCache c = CpuKvCache.of(cache);
        Attention attention = c.attention(pool, nHeads);
        float[] qs = CpuBuffer.of(q).floats(), o = CpuBuffer.of(out).floats();
        int[] seq = CpuBuffer.of(sequences).ints(), pos = CpuBuffer.of(positions).ints();
        attention.applyRows(qs, rows, pos, c.rows(seq, rows), layer, o);
    }

    @Override
    public void siluGate(DeviceBuffer gate, DeviceBuffer up, long n) {
        SiluGate.apply(CpuBuffer.of(gate).floats(), 0, CpuBuffer.of(up).floats(), 0, Math.toIntExact(n));
    }

    @Override
    public void add(DeviceBuffer x, DeviceBuffer y, long n) {
        VectorMath.add(CpuBuffer.of(x).floats(), 0, CpuBuffer.of(y).floats(), 0, Math.toIntExact(n));
    }

    /** The buffers are garbage-collected heap arrays and the pool belongs to the caller: nothing to free. */
    @Override
    public void close() {}
}

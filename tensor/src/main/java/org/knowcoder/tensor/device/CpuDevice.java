package org.knowcoder.tensor.device;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;
import org.knowcoder.io.BadInputException;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tensor.kernels.MatMul;
import org.knowcoder.tensor.kernels.MatVec;
import org.knowcoder.tensor.kernels.RmsNorm;
import org.knowcoder.tensor.kernels.Rope;
import org.knowcoder.tensor.kernels.SiluGate;
import org.knowcoder.tensor.kernels.Softmax;
import org.knowcoder.tensor.kernels.VectorMath;
import org.knowcoder.tensor.kernels.WeightRows;

/**
 * The {@link Device} interface on the CPU kernels: the reference every other backend is checked
 * against op by op, and the way to run device-neutral model code in tests. Matrix products run on
 * the worker pool; attention is a plain loop, since the tuned CPU path (LlamaSession) has its own.
 */
public final class CpuDevice implements Device {
    private final WorkerPool pool;
    private int widestInput;
    private MatVec matVec;
    private MatMul matMul;
    private Rope rope;
    private float ropeTheta;
    private float[] scores = new float[0];

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
    public void attention(DeviceBuffer out, DeviceBuffer q, DeviceBuffer keys, DeviceBuffer values, long cacheOffset,
                          int rows, int startPos, int nHeads, int nKvHeads, int headDim) {
        int base = Math.toIntExact(cacheOffset);
        attend(out, q, keys, values, rows, t -> base, t -> startPos + t, startPos + rows, nHeads, nKvHeads, headDim);
    }

    @Override
    public void storeKv(DeviceBuffer keys, DeviceBuffer values, long cacheOffset, long sequenceStride, DeviceBuffer k, DeviceBuffer v,
                        DeviceBuffer sequences, DeviceBuffer positions, int rows, int kvDim) {
        float[] ks = CpuBuffer.of(keys).floats(), vs = CpuBuffer.of(values).floats(), kRows = CpuBuffer.of(k).floats(), vRows = CpuBuffer.of(v).floats();
        int[] seq = CpuBuffer.of(sequences).ints(), pos = CpuBuffer.of(positions).ints();
        for (int t = 0; t < rows; t++) {
            int at = Math.toIntExact(cacheOffset + seq[t] * sequenceStride + (long) pos[t] * kvDim);
            System.arraycopy(kRows, t * kvDim, ks, at, kvDim);
            System.arraycopy(vRows, t * kvDim, vs, at, kvDim);
        }
    }

    @Override
    public void attentionAt(DeviceBuffer out, DeviceBuffer q, DeviceBuffer keys, DeviceBuffer values, long cacheOffset, long sequenceStride,
                            DeviceBuffer sequences, DeviceBuffer positions, int maxPosition, int rows, int nHeads, int nKvHeads, int headDim) {
        int[] seq = CpuBuffer.of(sequences).ints(), pos = CpuBuffer.of(positions).ints();
        attend(out, q, keys, values, rows, t -> Math.toIntExact(cacheOffset + seq[t] * sequenceStride), t -> pos[t], maxPosition + 1,
                nHeads, nKvHeads, headDim);
    }

    /** Row t attends over positions 0..position(t) of the cache at element cacheBase(t); every position is below {@code positions}. */
    private void attend(DeviceBuffer out, DeviceBuffer q, DeviceBuffer keys, DeviceBuffer values, int rows, IntUnaryOperator cacheBase,
                        IntUnaryOperator position, int positions, int nHeads, int nKvHeads, int headDim) {
        float[] o = CpuBuffer.of(out).floats(), qs = CpuBuffer.of(q).floats();
        float[] ks = CpuBuffer.of(keys).floats(), vs = CpuBuffer.of(values).floats();
        int kvDim = nKvHeads * headDim, group = nHeads / nKvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (scores.length < positions) scores = new float[positions];
        for (int t = 0; t < rows; t++) {
            int seen = position.applyAsInt(t) + 1, base = cacheBase.applyAsInt(t);
            for (int h = 0; h < nHeads; h++) {
                int qo = (t * nHeads + h) * headDim, kvo = base + (h / group) * headDim;
                for (int p = 0; p < seen; p++) scores[p] = VectorMath.dot(qs, qo, ks, kvo + p * kvDim, headDim) * scale;
                Softmax.apply(scores, 0, seen);
                Arrays.fill(o, qo, qo + headDim, 0f);
                for (int p = 0; p < seen; p++) VectorMath.axpy(scores[p], vs, kvo + p * kvDim, o, qo, headDim);
            }
        }
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

package org.knowcoder.tensor.device;

import org.knowcoder.tensor.Tensor;

/**
 * A compute backend that holds its own memory: the CPU ({@link CpuDevice}) or a GPU (a
 * {@link DeviceProvider} found at run time). A model written against this interface runs on any
 * of them; weights are uploaded once and every op works on buffers that stay on the device, so a
 * forward pass crosses to the host only to take token ids in and logits out.
 *
 * <p>Conventions: activations are F32 and row-major [rows, width]; weights keep their dtype and
 * are stored [out, in]; offsets and counts are in elements. Ops are queued in order; {@link #read}
 * waits for them. A device is used from one thread at a time.
 */
public interface Device extends AutoCloseable {
    /** What this device is, for logs ("cpu, 2 threads", "cuda:0 NVIDIA H100 ..."). */
    String description();

    /** How many rows a matrix-matrix pass should hold for the device to be used well. */
    int preferredRows();

    /** Copies a weight to the device, keeping its dtype (F32, F16, BF16 or Q8_0). */
    DeviceBuffer upload(Tensor weight);

    /** Copies F32 values (norm weights, test inputs) to the device. */
    DeviceBuffer upload(String name, float[] values);

    /** A zeroed F32 buffer of {@code n} values. */
    DeviceBuffer floats(String name, long n);

    /** A zeroed int32 buffer of {@code n} values (token ids). */
    DeviceBuffer ints(String name, int n);

    /** dst[0..n) = src[0..n): ids for the next op. */
    void write(int[] src, int n, DeviceBuffer dst);

    /** dst[0..n) = src[offset..offset+n), after every queued op has finished. */
    void read(DeviceBuffer src, long offset, float[] dst, int n);

    /** dst[dstOffset..+n) = src[srcOffset..+n), F32. */
    void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long n);

    /** out[t] = table[tokens[t]] for t below n: rows of an [vocab, dim] weight, widened to F32. */
    void embed(DeviceBuffer table, DeviceBuffer tokens, int n, DeviceBuffer out);

    /** out[r] = x[r] / rms(x[r]) * weight for r below rows; weight is an F32 buffer of dim values. */
    void rmsNorm(DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps);

    /** out[r, o] = sum_i x[r, i] w[o, i] for r below rows: w is an [out, in] weight. */
    void matmul(DeviceBuffer w, DeviceBuffer x, int rows, DeviceBuffer out);

    /**
     * Rotary position embedding in place on x [rows, heads * headDim], row t at position
     * startPos + t: angle pos * theta^(-2i/headDim) for pair i, pairs laid out as {@code style} says.
     */
    void rope(DeviceBuffer x, int rows, int heads, int headDim, int startPos, float theta, RopeStyle style);

    // The KV cache is the device's own: each backend lays keys and values out as its attention reads
    // them best (the CPU's keys are transposed in tiles, the GPU's are rows), so callers only name
    // a layer, a sequence and positions.

    /** KV caches of this shape; throws BadInputException when the device cannot hold them. */
    DeviceBuffer kvCache(String name, KvShape shape);

    /** Rows [0, rows) of k and v [rows, kvDim] into {@code layer} of the cache at positions start.. of {@code sequence}. */
    void storeKv(DeviceBuffer cache, int layer, int sequence, int start, DeviceBuffer k, DeviceBuffer v, int rows);

    /**
     * Causal attention of q [rows, nHeads * headDim] over {@code layer} of {@code sequence}'s cache:
     * row t, at position start + t, sees positions 0..start + t. Query head h reads kv head
     * h / (nHeads / nKvHeads).
     */
    void attention(DeviceBuffer out, DeviceBuffer q, DeviceBuffer cache, int layer, int sequence, int start, int rows, int nHeads);

    /** Positions [0, length) of every layer of sequence {@code from}'s cache copied to sequence {@code to}'s (a shared prompt prefix). */
    void copyKv(DeviceBuffer cache, int from, int to, int length);

    // The ops of a batched decode step, whose rows belong to different sequences: row t sits at
    // position positions[t] of sequence sequences[t] (int32 buffers of rows ids).

    /** {@link #rope} with row t at position positions[t]. */
    void ropeAt(DeviceBuffer x, int rows, int heads, int headDim, DeviceBuffer positions, float theta, RopeStyle style);

    /** {@link #storeKv} with row t at positions[t] of sequence sequences[t]. */
    void storeKvAt(DeviceBuffer cache, int layer, DeviceBuffer k, DeviceBuffer v, DeviceBuffer sequences, DeviceBuffer positions, int rows);

    /**
     * {@link #attention} with row t at positions[t] of sequence sequences[t], seeing its positions
     * 0..positions[t]; {@code maxPosition} is the largest positions[t].
     */
    void attentionAt(DeviceBuffer out, DeviceBuffer q, DeviceBuffer cache, int layer, DeviceBuffer sequences, DeviceBuffer positions,
                     int maxPosition, int rows, int nHeads);

    /** gate[i] = silu(gate[i]) * up[i] for i below n. */
    void siluGate(DeviceBuffer gate, DeviceBuffer up, long n);

    /** x[i] += y[i] for i below n. */
    void add(DeviceBuffer x, DeviceBuffer y, long n);

    /** Frees every buffer of this device. */
    @Override
    void close();
}

package org.knowcoder.cuda;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.knowcoder.cuda.kernels.CudaKernels;
import org.knowcoder.cuda.kernels.ElementwiseKernels;
import org.knowcoder.cuda.kernels.MatVecKernels;
import org.knowcoder.io.BadInputException;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.device.Device;
import org.knowcoder.tensor.device.DeviceBuffer;
import org.knowcoder.tensor.device.DeviceUnavailableException;
import org.knowcoder.tensor.device.KvShape;
import org.knowcoder.tensor.device.RopeStyle;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static jcuda.driver.JCudaDriver.cuCtxDestroy;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * The {@link Device} interface on one NVIDIA GPU through the CUDA driver API (JCuda): our PTX
 * kernels for every op, cuBLAS or our own GEMM kernels for multi-row products. All work is queued
 * on one stream, in order; only {@link #write} (ids in) and {@link #read} (results out) touch host
 * memory. Every call first makes the device's context current on the calling thread, so the
 * device may be handed from one thread to another (used by one at a time).
 */
public final class CudaDevice implements Device {
    /** Rows per prefill pass: large products keep the tensor cores busy; 512 x hidden F32 activations stay small. */
    private static final int PREFERRED_ROWS = 512;
    /**
     * Products of at most this many rows (a batched decode step) on small matrices run as matrix-vector
     * products, one grid row per input row: the GEMM's 64x64 tiles would give a 768-wide matrix 12 blocks
     * on a GPU of over 100 SMs, while each row's re-read of the weights comes mostly from L2 when the
     * matrix takes at most MATVEC_BYTES (a quarter of an H100's or H200's 50-60 MB L2).
     */
    private static final int MATVEC_ROWS = 16;
    private static final long MATVEC_BYTES = 12L << 20;
    /** The driver API's library, installed with the NVIDIA driver (not with the CUDA toolkit). */
    private static final String DRIVER_LIBRARY = "libcuda.so.1";
    /** -Dknowcoder.cuda.cublas=off keeps cuBLAS unloaded: our own GEMM kernels run (to compare them, or under the emulated driver). */
    static final String CUBLAS_PROPERTY = "knowcoder.cuda.cublas";
    /** The context each thread last made current through any CudaDevice. */
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    private final CUcontext context;
    private final CUstream stream;
    private final String description;
    private final CudaKernels kernels;
    private final MatrixProducts products;
    private final WeightUpload upload = new WeightUpload();
    private final List<CUdeviceptr> allocations = new ArrayList<>();

    private CudaDevice(CUcontext context, CUstream stream, String name) {
        this.context = context;
        this.stream = stream;
        this.kernels = CudaKernels.load();
        KernelProducts own = new KernelProducts(kernels.gemm, kernels.convert);
        CublasProducts cublas = "off".equals(System.getProperty(CUBLAS_PROPERTY)) ? null : CublasProducts.tryOpen(stream, kernels.convert, own);
        this.products = cublas != null ? cublas : own;
        this.description = "cuda:0 " + name + ", " + products.name();
    }

    /**
     * Opens GPU {@code ordinal}: loads the driver, creates a context and a stream, loads the PTX.
     * Throws DeviceUnavailableException saying what is missing (driver library, GPU, ...).
     */
    static CudaDevice open(int ordinal) {
        requireDriver();
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
        } catch (LinkageError e) {
            throw new DeviceUnavailableException("--device cuda: JCuda's native library did not load: " + firstLine(e.getMessage()), e);
        } catch (CudaException e) {
            throw new DeviceUnavailableException("--device cuda: the CUDA driver did not start (" + firstLine(e.getMessage()) + ")", e);
        }
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] <= ordinal) {
            throw new DeviceUnavailableException("--device cuda: " + (count[0] == 0 ? "no CUDA GPU is visible" : "no GPU " + ordinal + " among " + count[0]));
        }
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        CUcontext context = new CUcontext();
        JCudaDriver.cuCtxCreate(context, 0, device); // and makes it current here
        CURRENT.set(context);
        CUstream stream = new CUstream();
        cuStreamCreate(stream, 0);
        return new CudaDevice(context, stream, new String(name, StandardCharsets.US_ASCII).trim().replace("\0", ""));
    }

    /** Checks for the NVIDIA driver library first: JCuda's own failure to find it is pages of nested stack traces. */
    private static void requireDriver() {
        try {
            SymbolLookup.libraryLookup(DRIVER_LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new DeviceUnavailableException("--device cuda: no NVIDIA driver on this machine (" + DRIVER_LIBRARY
                    + " cannot be loaded); the cuda device needs an NVIDIA GPU and its driver", e);
        }
    }

    /** JCuda's load errors carry pages of nested stack traces: a user needs the first line. */
    static String firstLine(String message) {
        return message == null ? "no message" : message.lines().findFirst().orElse("").strip();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public int preferredRows() {
        return PREFERRED_ROWS;
    }

    @Override
    public DeviceBuffer upload(Tensor weight) {
        if (weight.dtype().isQ4()) {
            // no 4-bit CUDA kernels yet: refused by name rather than run as garbage
            throw new BadInputException("tensor " + weight.name() + " is " + weight.dtype()
                    + ": 4-bit weights run on the CPU only (use --device cpu, or --quantize q8_0 for cuda)");
        }
        current();
        long[] shape = weight.shape();
        long rows = shape.length == 1 ? 1 : weight.rows();
        int cols = shape.length == 1 ? Math.toIntExact(shape[0]) : weight.cols();
        CUdeviceptr data = allocate(weight.data().byteSize());
        upload.copy(weight.data(), data);
        CUdeviceptr scales = null;
        if (weight.dtype() == DType.Q8_0) {
            // the kernels read F32 scales: a GGUF tensor's F16 ones are widened on the way
            try (Arena wide = Arena.ofConfined()) {
                MemorySegment f32 = weight.withF32Scales(wide).scales();
                scales = allocate(f32.byteSize());
                upload.copy(f32, scales);
            }
        }
        return CudaBuffer.weight(weight.name(), weight.dtype(), data, rows, cols, scales, weight.groupSize());
    }

    @Override
    public DeviceBuffer upload(String name, float[] values) {
        current();
        CUdeviceptr data = allocate((long) values.length * Sizeof.FLOAT);
        cuMemcpyHtoD(data, Pointer.to(values), (long) values.length * Sizeof.FLOAT);
        return CudaBuffer.floats(name, data, values.length);
    }

    @Override
    public DeviceBuffer floats(String name, long n) {
        return CudaBuffer.floats(name, zeroed(name, n), n);
    }

    @Override
    public DeviceBuffer ints(String name, int n) {
        return CudaBuffer.ints(name, zeroed(name, n), n);
    }

    private CUdeviceptr zeroed(String name, long n) {
        current();
        try {
            CUdeviceptr data = allocate(Math.max(1, n) * 4);
            cuMemsetD32(data, 0, Math.max(1, n));
            return data;
        } catch (CudaException e) {
            throw new BadInputException("GPU memory for " + name + " (" + n * 4 / (1 << 20) + " MiB): " + e.getMessage(), e);
        }
    }

    @Override
    public void write(int[] src, int n, DeviceBuffer dst) {
        current();
        // synchronous: the ids are read from the Java array before this returns, ordered after queued work
        cuMemcpyHtoD(CudaBuffer.ids(dst, n).data, Pointer.to(src), (long) n * Sizeof.INT);
    }

    @Override
    public void read(DeviceBuffer src, long offset, float[] dst, int n) {
        current();
        CudaBuffer b = CudaBuffer.activations(src, offset + n);
        cuStreamSynchronize(stream);
        cuMemcpyDtoH(Pointer.to(dst), b.at(offset), (long) n * Sizeof.FLOAT);
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long n) {
        current();
        CudaBuffer from = CudaBuffer.activations(src, srcOffset + n), to = CudaBuffer.activations(dst, dstOffset + n);
        cuMemcpyDtoDAsync(to.at(dstOffset), from.at(srcOffset), n * Sizeof.FLOAT, stream);
    }

    @Override
    public void embed(DeviceBuffer table, DeviceBuffer tokens, int n, DeviceBuffer out) {
        current();
        CudaBuffer t = CudaBuffer.weightOf(table);
        CUdeviceptr ids = CudaBuffer.ids(tokens, n).data, o = CudaBuffer.activations(out, (long) n * t.cols).data;
        ElementwiseKernels k = kernels.elementwise;
        switch (t.dtype) {
            case F32 -> k.embeddingF32(o, t.data, ids, n, t.cols, stream);
            case BF16 -> k.embeddingBf16(o, t.data, ids, n, t.cols, stream);
            case F16 -> k.embeddingF16(o, t.data, ids, n, t.cols, stream);
            case Q8_0 -> k.embeddingQ8(o, t.data, t.scales, ids, n, t.cols, t.groupSize, stream);
        }
    }

    @Override
    public void rmsNorm(DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        current();
        long n = (long) rows * dim;
        kernels.norm.rmsnorm(CudaBuffer.activations(out, n).data, CudaBuffer.activations(x, n).data,
                CudaBuffer.activations(weight, dim).data, rows, dim, eps, stream);
    }

    @Override
    public void matmul(DeviceBuffer w, DeviceBuffer x, int rows, DeviceBuffer out) {
        current();
        CudaBuffer weight = CudaBuffer.weightOf(w);
        int in = weight.cols, outDim = Math.toIntExact(weight.rows);
        CUdeviceptr xs = CudaBuffer.activations(x, (long) rows * in).data, o = CudaBuffer.activations(out, (long) rows * outDim).data;
        if (rows > 1 && (rows > MATVEC_ROWS || weight.bytes() > MATVEC_BYTES)) {
            products.multiply(weight, xs, rows, o, stream);
            return;
        }
        MatVecKernels k = kernels.matvec;
        switch (weight.dtype) {
            case F32 -> k.matvecF32(o, weight.data, xs, rows, outDim, in, stream);
            case BF16 -> k.matvecBf16(o, weight.data, xs, rows, outDim, in, stream);
            case F16 -> k.matvecF16(o, weight.data, xs, rows, outDim, in, stream);
            case Q8_0 -> k.matvecQ8(o, weight.data, weight.scales, xs, rows, outDim, in, weight.groupSize, stream);
        }
    }

    @Override
    public void rope(DeviceBuffer x, int rows, int heads, int headDim, int startPos, float theta, RopeStyle style) {
        current();
        kernels.rope.rope(CudaBuffer.activations(x, (long) rows * heads * headDim).data, rows, heads, headDim, startPos, null, theta,
                style == RopeStyle.ROTATE_HALF, stream);
    }

    @Override
    public void ropeAt(DeviceBuffer x, int rows, int heads, int headDim, DeviceBuffer positions, float theta, RopeStyle style) {
        current();
        kernels.rope.rope(CudaBuffer.activations(x, (long) rows * heads * headDim).data, rows, heads, headDim, 0,
                CudaBuffer.ids(positions, rows).data, theta, style == RopeStyle.ROTATE_HALF, stream);
    }

    @Override
    public DeviceBuffer kvCache(String name, KvShape shape) {
        long n = shape.floats();
        CudaBuffer keys = CudaBuffer.floats(name + " keys", zeroed(name, n), n), values = CudaBuffer.floats(name + " values", zeroed(name, n), n);
        return new CudaKvCache(name, keys, values, shape);
    }

    @Override
    public void storeKv(DeviceBuffer cache, int layer, int sequence, int start, DeviceBuffer k, DeviceBuffer v, int rows) {
        CudaKvCache c = CudaKvCache.of(cache);
        checkPositions(c, start, rows);
        long at = c.offset(sequence, layer) + (long) start * c.kvDim(), n = (long) rows * c.kvDim();
        // consecutive positions of one sequence: the rows land in the cache as one block
        copy(k, 0, c.keys(), at, n);
        copy(v, 0, c.values(), at, n);
    }

    @Override
    public void attention(DeviceBuffer out, DeviceBuffer q, DeviceBuffer cache, int layer, int sequence, int start, int rows, int nHeads) {
        current();
        CudaKvCache c = CudaKvCache.of(cache);
        checkPositions(c, start, rows);
        long n = (long) rows * nHeads * c.shape().headDim(), at = c.offset(sequence, layer);
        kernels.attention.attention(CudaBuffer.activations(out, n).data, CudaBuffer.activations(q, n).data, c.keys().at(at), c.values().at(at),
                rows, nHeads, c.shape().nKvHeads(), c.shape().headDim(), start, stream);
    }

    @Override
    public void copyKv(DeviceBuffer cache, int from, int to, int length) {
        CudaKvCache c = CudaKvCache.of(cache);
        checkPositions(c, 0, length);
        long n = (long) length * c.kvDim();
        for (int l = 0; l < c.shape().layers(); l++) {
            copy(c.keys(), c.offset(from, l), c.keys(), c.offset(to, l), n);
            copy(c.values(), c.offset(from, l), c.values(), c.offset(to, l), n);
        }
    }

    @Override
    public void storeKvAt(DeviceBuffer cache, int layer, DeviceBuffer k, DeviceBuffer v, DeviceBuffer sequences, DeviceBuffer positions, int rows) {
        current();
        CudaKvCache c = CudaKvCache.of(cache);
        long n = (long) rows * c.kvDim(), at = c.offset(0, layer);
        kernels.attention.kvStore(c.keys().at(at), c.values().at(at), CudaBuffer.activations(k, n).data, CudaBuffer.activations(v, n).data,
                CudaBuffer.ids(positions, rows).data, CudaBuffer.ids(sequences, rows).data, c.sequenceStride(), rows, c.kvDim(), stream);
    }

    @Override
    public void attentionAt(DeviceBuffer out, DeviceBuffer q, DeviceBuffer cache, int layer, DeviceBuffer sequences, DeviceBuffer positions,
                            int maxPosition, int rows, int nHeads) {
        current();
        CudaKvCache c = CudaKvCache.of(cache);
        checkPositions(c, maxPosition, 1);
        long n = (long) rows * nHeads * c.shape().headDim(), at = c.offset(0, layer);
        kernels.attention.attentionAt(CudaBuffer.activations(out, n).data, CudaBuffer.activations(q, n).data, c.keys().at(at), c.values().at(at),
                rows, nHeads, c.shape().nKvHeads(), c.shape().headDim(), CudaBuffer.ids(positions, rows).data, CudaBuffer.ids(sequences, rows).data,
                c.sequenceStride(), maxPosition + 1, stream);
    }

    /** The kernels index the cache without bounds: positions [start, start + n) must lie in each sequence's. */
    private static void checkPositions(CudaKvCache c, int start, int n) {
        if (start < 0 || start + n > c.shape().positions()) {
            throw new IllegalArgumentException("positions " + start + ".." + (start + n - 1) + " are outside " + c.name() + "'s " + c.shape().positions());
        }
    }

    @Override
    public void siluGate(DeviceBuffer gate, DeviceBuffer up, long n) {
        current();
        kernels.elementwise.siluGate(CudaBuffer.activations(gate, n).data, CudaBuffer.activations(up, n).data, n, stream);
    }

    @Override
    public void add(DeviceBuffer x, DeviceBuffer y, long n) {
        current();
        kernels.elementwise.add(CudaBuffer.activations(x, n).data, CudaBuffer.activations(y, n).data, n, stream);
    }


    @Override
    public void close() {
        current();
        cuStreamSynchronize(stream);
        products.close();
        upload.close();
        kernels.close();
        for (CUdeviceptr p : allocations) cuMemFree(p);
        allocations.clear();
        cuStreamDestroy(stream);
        cuCtxDestroy(context);
        CURRENT.remove();
    }

    private CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, bytes);
        allocations.add(p);
        return p;
    }

    /** Makes this device's context the calling thread's, calling the driver only when it is not already (a call per op would add up). */
    private void current() {
        if (CURRENT.get() != context) {
            cuCtxSetCurrent(context);
            CURRENT.set(context);
        }
    }
}

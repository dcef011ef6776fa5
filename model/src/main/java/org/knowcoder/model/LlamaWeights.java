package org.knowcoder.model;

import org.knowcoder.io.BadInputException;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Q4;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q4Quantizer;
import org.knowcoder.tensor.kernels.Q8Quantizer;
import org.knowcoder.tensor.kernels.WeightRows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * All weights of a LLaMA-2 model. Matrices keep their checkpoint dtype (usually memory-mapped);
 * the small norm vectors are widened to float arrays at load time.
 *
 * <p>{@code rotateHalfLayout} is true for Hugging Face checkpoints, whose q/k rows are permuted so
 * RoPE can rotate halves; the session maps q and k back to adjacent pairs right after projecting
 * (see the session package's RopeLayout), which keeps the weights untouched and memory-mapped.
 */
public final class LlamaWeights implements AutoCloseable {

    /** One transformer block. w1 = gate, w3 = up, w2 = down (llama2.c naming). */
    public record Layer(float[] attentionNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo,
                        float[] ffnNorm, Tensor w1, Tensor w2, Tensor w3) {
        List<Tensor> matrices() {
            return List.of(wq, wk, wv, wo, w1, w2, w3);
        }
    }

    private final LlamaConfig config;
    private final Tensor tokenEmbedding;
    private final List<Layer> layers;
    private final float[] finalNorm;
    private final Tensor classifier;
    private final boolean rotateHalfLayout;
    private final Arena arena;

    public LlamaWeights(LlamaConfig config, Tensor tokenEmbedding, List<Layer> layers, float[] finalNorm,
                        Tensor classifier, boolean rotateHalfLayout, Arena arena) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.classifier = classifier;
        this.rotateHalfLayout = rotateHalfLayout;
        this.arena = arena;
    }

    public LlamaConfig config() { return config; }
    public Tensor tokenEmbedding() { return tokenEmbedding; }
    public List<Layer> layers() { return layers; }
    public Layer layer(int i) { return layers.get(i); }
    public float[] finalNorm() { return finalNorm; }
    /** The output projection; the same tensor as the embedding when the classifier is shared. */
    public Tensor classifier() { return classifier; }
    public boolean sharedClassifier() { return classifier == tokenEmbedding; }
    public boolean rotateHalfLayout() { return rotateHalfLayout; }

    /** The dtype of the projection matrices (the first layer's wq). */
    public DType dtype() {
        return layers.getFirst().wq().dtype();
    }

    /** Bytes of all matrices, counting a shared classifier once. */
    public long weightBytes() {
        long total = tokenEmbedding.weightBytes() + (sharedClassifier() ? 0 : classifier.weightBytes());
        for (Layer l : layers) for (Tensor t : l.matrices()) total += t.weightBytes();
        return total;
    }

    /**
     * A CRC-32C that tells these weights from others: the config and, of every tensor as held now
     * (after any quantization or widening), its dtype, size, first and last 64 KiB and those of its
     * scales, and the norms. Training, fine-tuning, quantizing or another seed changes every
     * tensor, so a sample of each tells them apart, at a cost that does not grow with the model
     * (reading all of a 7B F16 model takes seconds).
     */
    public long checksum() {
        CRC32C crc = new CRC32C();
        crc.update((config + " rotateHalf=" + rotateHalfLayout).getBytes(StandardCharsets.UTF_8));
        List<Tensor> all = new ArrayList<>(List.of(tokenEmbedding, classifier));
        for (Layer l : layers) all.addAll(l.matrices());
        byte[] buffer = new byte[CHECKSUM_SAMPLE];
        for (Tensor t : all) {
            crc.update(t.dtype().name().getBytes(StandardCharsets.UTF_8));
            sample(crc, t.data(), buffer);
            if (t.scales() != null) sample(crc, t.scales(), buffer);
        }
        List<float[]> norms = new ArrayList<>(List.of(finalNorm));
        for (Layer l : layers) norms.addAll(List.of(l.attentionNorm(), l.ffnNorm()));
        for (float[] norm : norms) sample(crc, MemorySegment.ofArray(norm), buffer);
        return crc.getValue();
    }

    private static final int CHECKSUM_SAMPLE = 1 << 16;

    /**
     * Adds the segment's size and its first and last buffer.length bytes (all of it when shorter),
     * copied through {@code buffer}: floats on the heap have no byte view.
     */
    private static void sample(CRC32C crc, MemorySegment bytes, byte[] buffer) {
        long size = bytes.byteSize();
        crc.update(Long.toString(size).getBytes(StandardCharsets.UTF_8));
        MemorySegment to = MemorySegment.ofArray(buffer);
        for (long at : size <= 2L * buffer.length ? new long[] {0, buffer.length} : new long[] {0, size - buffer.length}) {
            int n = (int) Math.max(0, Math.min(buffer.length, size - at));
            if (n == 0) continue;
            MemorySegment.copy(bytes, at, to, 0, n);
            crc.update(buffer, 0, n);
        }
    }

    /**
     * A copy with every matrix quantized to {@code type} in fresh off-heap memory. Q8_0 uses groups of 64 or, where that does not divide a row, the
     * largest power of two below that does (llama2.c's exporter's rule,
     * {@link Q8Quantizer#defaultGroupSize}); Q4_0 and Q4_K use {@link Q4Quantizer}, whose rows
     * must be multiples of 32 and 256. Matrices already of the type are copied. This instance (and its file mapping) can then be closed, so
     * a 7B model runs in about a quarter (Q8_0) or a sixth (4-bit) of its F32 size.
     *
     * @throws BadInputException when a matrix's rows are not a multiple of the type's block
     */
    public LlamaWeights quantize(DType type) {
        if (type != DType.Q8_0 && !type.isQ4()) throw new IllegalArgumentException(type + " is not a quantized type");
        List<Tensor> all = new ArrayList<>(List.of(tokenEmbedding, classifier));
        for (Layer l : layers) all.addAll(l.matrices());
        for (Tensor t : all) {
            if (type.isQ4() && t.dtype() != type && t.cols() % Q4.rowMultiple(type) != 0) {
                throw new BadInputException("cannot quantize to " + type + ": tensor " + t.name() + " has rows of " + t.cols()
                        + " values, not a multiple of " + Q4.rowMultiple(type));
            }
        }
        Arena target = Arena.ofShared();
        List<Layer> quantized = new ArrayList<>();
        for (Layer l : layers) {
            quantized.add(new Layer(l.attentionNorm(), quantize(l.wq(), type, target), quantize(l.wk(), type, target),
                    quantize(l.wv(), type, target), quantize(l.wo(), type, target), l.ffnNorm(), quantize(l.w1(), type, target),
                    quantize(l.w2(), type, target), quantize(l.w3(), type, target)));
        }
        Tensor embedding = quantize(tokenEmbedding, type, target);
        Tensor cls = sharedClassifier() ? embedding : quantize(classifier, type, target);
        return new LlamaWeights(config, embedding, quantized, finalNorm, cls, rotateHalfLayout, target);
    }

    /**
     * A copy with every matrix in a float[] on the heap, where decoding streams it faster (see
     * {@code WeightRows.dotF32Heap}): F32 as it is, F16 and BF16 widened (exactly: every 16-bit
     * value is a float). This instance (and its file mapping) can then be closed. Returns this
     * instance when a matrix is quantized (a GGUF file may hold F32 layers and a Q8_0
     * output.weight), when a matrix is too large for one array, or when the copy would take more
     * than half the heap (a 7B F32 model stays mapped).
     */
    public LlamaWeights f32OnHeap() {
        long f32Bytes = 0;
        boolean fits = true;
        List<Tensor> all = new ArrayList<>(List.of(tokenEmbedding));
        if (!sharedClassifier()) all.add(classifier);
        for (Layer l : layers) all.addAll(l.matrices());
        for (Tensor t : all) {
            fits &= (t.dtype() == DType.F32 || t.dtype() == DType.F16 || t.dtype() == DType.BF16) && t.numel() <= Integer.MAX_VALUE - 8;
            f32Bytes += t.numel() * Float.BYTES;
        }
        if (!fits || f32Bytes > Runtime.getRuntime().maxMemory() / 2) return this;
        List<Layer> copied = new ArrayList<>();
        for (Layer l : layers) {
            copied.add(new Layer(l.attentionNorm(), onHeap(l.wq()), onHeap(l.wk()), onHeap(l.wv()),
                    onHeap(l.wo()), l.ffnNorm(), onHeap(l.w1()), onHeap(l.w2()), onHeap(l.w3())));
        }
        Tensor embedding = onHeap(tokenEmbedding);
        Tensor cls = sharedClassifier() ? embedding : onHeap(classifier);
        return new LlamaWeights(config, embedding, copied, finalNorm, cls, rotateHalfLayout, null);
    }

    private static Tensor onHeap(Tensor t) {
        if (t.floatArray() != null) return t;
        float[] values = new float[Math.toIntExact(t.numel())];
        for (long r = 0; r < t.rows(); r++) WeightRows.lookup(t, r, values, Math.toIntExact(r * t.cols()));
        return Tensor.ofFloatArray(t.name(), values, t.shape());
    }

    private static Tensor quantize(Tensor t, DType type, Arena arena) {
        if (t.dtype() == type) return t.copyTo(t.name(), arena); // outlives the mapping it came from
        return type == DType.Q8_0 ? Q8Quantizer.quantize(t, Q8Quantizer.defaultGroupSize(t.cols()), arena) : Q4Quantizer.quantize(t, type, arena);
    }

    @Override
    public void close() {
        if (arena != null) arena.close();
    }
}

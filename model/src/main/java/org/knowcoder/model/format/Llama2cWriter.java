package org.knowcoder.model.format;

import org.knowcoder.io.AtomicWrite;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RopePermutation;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q8Quantizer;
import org.knowcoder.tensor.kernels.Rope;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Writes llama2.c checkpoints that {@link Llama2cCheckpoint} (and llama2.c's run.c / runq.c) read:
 * version 0 (legacy F32) and version 2 (Q8_0). Files are written atomically and streamed, so any
 * model size needs only a row (F32) or one quantized matrix (Q8_0) of scratch.
 *
 * <p>llama2.c stores q/k rows in the adjacent-pair RoPE layout; weights loaded from Hugging Face
 * ({@link LlamaWeights#rotateHalfLayout()}) have their q/k rows permuted back on the way out.
 * The format has no field for RMSNorm epsilon or RoPE theta: readers assume 1e-5 and 10000.
 */
public final class Llama2cWriter {
    private Llama2cWriter() {}

    /** The header of versions 1 and 2, padded. */
    private static final int HEADER_V2 = 256;

    /** Version 0: 7 int32 header (negative vocab = unshared classifier), then F32 weights. */
    public static void writeVersion0(LlamaWeights w, Path file) throws IOException {
        LlamaConfig c = w.config();
        Orders o = Orders.of(w);
        AtomicWrite.write(file, ch -> {
            TensorOutput out = new TensorOutput(ch);
            header(out, c, w.sharedClassifier() ? c.vocabSize() : -c.vocabSize());
            out.rows(w.tokenEmbedding(), null, DType.F32);
            for (LlamaWeights.Layer l : w.layers()) out.floats(l.attentionNorm(), DType.F32);
            matrices(out, w, LlamaWeights.Layer::wq, o.q);
            matrices(out, w, LlamaWeights.Layer::wk, o.k);
            matrices(out, w, LlamaWeights.Layer::wv, null);
            matrices(out, w, LlamaWeights.Layer::wo, null);
            for (LlamaWeights.Layer l : w.layers()) out.floats(l.ffnNorm(), DType.F32);
            matrices(out, w, LlamaWeights.Layer::w1, null);
            matrices(out, w, LlamaWeights.Layer::w2, null);
            matrices(out, w, LlamaWeights.Layer::w3, null);
            out.floats(w.finalNorm(), DType.F32);
            legacyRopeTables(out, c);
            if (!w.sharedClassifier()) out.rows(w.classifier(), null, DType.F32);
            out.flush();
        });
    }

    /** Version 2 with the group size llama2.c's exporter would pick (or the source's, if already Q8_0). */
    public static void writeVersion2(LlamaWeights w, Path file) throws IOException {
        writeVersion2(w, file, defaultGroupSize(w));
    }

    /**
     * Version 2: "ak42" header padded to 256 bytes, F32 norms, then every matrix as int8 values and
     * F32 scales. Matrices already Q8_0 with this group size are copied (F16 scales widened); others are quantized.
     */
    public static void writeVersion2(LlamaWeights w, Path file, int groupSize) throws IOException {
        LlamaConfig c = w.config();
        if (groupSize <= 0 || c.dim() % groupSize != 0 || c.hiddenDim() % groupSize != 0) {
            throw new IllegalArgumentException("Q8_0 group size " + groupSize + " must divide dim " + c.dim()
                    + " and hidden_dim " + c.hiddenDim());
        }
        writeVersioned(w, file, 2, groupSize, (out, t, rows) -> q8(out, t, rows, groupSize));
    }

    /** Version 1: as version 2 without the group size, every matrix in F32 (llama2.c's export.py, legacy_export's successor). */
    public static void writeVersion1(LlamaWeights w, Path file) throws IOException {
        writeVersioned(w, file, 1, 0, (out, t, rows) -> out.rows(t, rows, DType.F32));
    }

    /** How a versioned file stores one matrix, its rows in {@code order} (null: as they are). */
    @FunctionalInterface
    private interface MatrixWriter {
        void write(TensorOutput out, Tensor t, int[] order) throws IOException;
    }

    /** The "ak42" layout of versions 1 and 2: header padded to 256 bytes, F32 norms, then the matrices. */
    private static void writeVersioned(LlamaWeights w, Path file, int version, int groupSize, MatrixWriter matrix) throws IOException {
        LlamaConfig c = w.config();
        Orders o = Orders.of(w);
        AtomicWrite.write(file, ch -> {
            TensorOutput out = new TensorOutput(ch);
            out.int32(Llama2cCheckpoint.MAGIC);
            out.int32(version);
            header(out, c, c.vocabSize());
            out.uint8(w.sharedClassifier() ? 1 : 0);
            if (version == 2) out.int32(groupSize);
            out.zeros(HEADER_V2 - out.position());
            for (LlamaWeights.Layer l : w.layers()) out.floats(l.attentionNorm(), DType.F32);
            for (LlamaWeights.Layer l : w.layers()) out.floats(l.ffnNorm(), DType.F32);
            out.floats(w.finalNorm(), DType.F32);
            matrix.write(out, w.tokenEmbedding(), null);
            List<Function<LlamaWeights.Layer, Tensor>> order = List.of(LlamaWeights.Layer::wq, LlamaWeights.Layer::wk,
                    LlamaWeights.Layer::wv, LlamaWeights.Layer::wo, LlamaWeights.Layer::w1, LlamaWeights.Layer::w2,
                    LlamaWeights.Layer::w3);
            for (int m = 0; m < order.size(); m++) {
                int[] rows = m == 0 ? o.q : m == 1 ? o.k : null;
                for (LlamaWeights.Layer l : w.layers()) matrix.write(out, order.get(m).apply(l), rows);
            }
            if (!w.sharedClassifier()) matrix.write(out, w.classifier(), null);
            out.flush();
        });
    }

    /**
     * The source's Q8_0 group size when it has a usable one, else llama2.c's exporter's choice for
     * dim and hidden_dim.
     */
    static int defaultGroupSize(LlamaWeights w) {
        LlamaConfig c = w.config();
        Tensor wq = w.layer(0).wq();
        if (wq.dtype() == DType.Q8_0 && c.dim() % wq.groupSize() == 0 && c.hiddenDim() % wq.groupSize() == 0) {
            return wq.groupSize();
        }
        return Q8Quantizer.defaultGroupSize(c.dim(), c.hiddenDim());
    }

    private static void header(TensorOutput out, LlamaConfig c, int vocabField) throws IOException {
        for (int v : new int[] {c.dim(), c.hiddenDim(), c.nLayers(), c.nHeads(), c.nKvHeads(), vocabField, c.seqLen()}) {
            out.int32(v);
        }
    }

    private static void matrices(TensorOutput out, LlamaWeights w, Function<LlamaWeights.Layer, Tensor> pick, int[] order)
            throws IOException {
        for (LlamaWeights.Layer l : w.layers()) out.rows(pick.apply(l), order, DType.F32);
    }

    /**
     * Writes {@code t} as Q8_0, quantizing (or widening F16 scales to llama2.c's F32) into scratch
     * memory freed right after unless it already fits.
     */
    private static void q8(TensorOutput out, Tensor t, int[] order, int group) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            out.q8Rows(t.dtype() == DType.Q8_0 && t.groupSize() == group ? t.withF32Scales(scratch) : Q8Quantizer.quantize(t, group, scratch), order);
        }
    }

    /**
     * The freq_cis_real and freq_cis_imag tables old llama2.c versions read: [seq_len, head_dim/2]
     * each, the cos and sin of the engine's own {@link Rope}. Readers skip them; they are written
     * for compatibility.
     */
    private static void legacyRopeTables(TensorOutput out, LlamaConfig c) throws IOException {
        Rope rope = new Rope(c.headDim(), c.seqLen(), c.ropeTheta());
        float[] row = new float[c.headDim() / 2];
        for (int table = 0; table < 2; table++) {
            for (int pos = 0; pos < c.seqLen(); pos++) {
                for (int i = 0; i < row.length; i++) row[i] = table == 0 ? rope.cos(pos, i) : rope.sin(pos, i);
                out.floats(row, DType.F32);
            }
        }
    }

    /** q/k row orders for the adjacent-pair layout: null when the weights already have it. */
    private record Orders(int[] q, int[] k) {
        static Orders of(LlamaWeights w) {
            if (!w.rotateHalfLayout()) return new Orders(null, null);
            LlamaConfig c = w.config();
            return new Orders(RopePermutation.toAdjacentPairs(c.nHeads(), c.headDim()),
                    RopePermutation.toAdjacentPairs(c.nKvHeads(), c.headDim()));
        }
    }
}

package org.knowcoder.model;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q8Quantizer;
import org.knowcoder.tensor.kernels.WeightRows;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * F32 weights copied into heap arrays decode to the same bits as the originals, on 1 and 2 threads;
 * 16-bit weights widen to exactly their values.
 */
class F32OnHeapTest {
    /**
     * F32 layers with a quantized classifier (llama.cpp's mixes widen to F32 at load, beside a
     * Q8_0 output.weight) stay as they are: the classifier cannot be copied as floats.
     */
    @Test
    void weightsWithAQuantizedClassifierStayMapped() {
        LlamaConfig config = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
        try (LlamaWeights original = RandomWeights.create(config, false, 7); Arena arena = Arena.ofConfined()) {
            Tensor q8 = Q8Quantizer.quantize(original.classifier(), 32, arena);
            LlamaWeights mixed = new LlamaWeights(config, original.tokenEmbedding(), original.layers(), original.finalNorm(), q8,
                    original.rotateHalfLayout(), null);
            assertSame(mixed, mixed.f32OnHeap());
        }
    }

    @Test
    void heapCopyDecodesBitForBitLikeTheOriginal() {
        LlamaConfig config = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
        for (boolean shared : new boolean[] {true, false}) {
            try (LlamaWeights original = RandomWeights.create(config, shared, 7)) {
                LlamaWeights heap = original.f32OnHeap();
                assertNotSame(original, heap);
                assertNotNull(heap.layer(0).wq().floatArray());
                assertNotNull(heap.classifier().floatArray());
                for (int threads = 1; threads <= 2; threads++) {
                    try (WorkerPool pool = new WorkerPool(threads)) {
                        LlamaSession a = new LlamaSession(original, pool), b = new LlamaSession(heap, pool);
                        int token = 1;
                        for (int pos = 0; pos < 8; pos++) {
                            float[] la = a.forward(token, pos).clone(), lb = b.forward(token, pos);
                            assertArrayEquals(la, lb, "shared " + shared + ", " + threads + " threads, position " + pos);
                            token = (token * 31 + pos) % config.vocabSize();
                        }
                    }
                }
            }
        }
    }

    @Test
    void sixteenBitWeightsWidenToTheirExactValues() {
        LlamaConfig config = new LlamaConfig(64, 128, 2, 4, 2, 96, 32, 1e-5f, 10000f);
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            try (LlamaWeights original = RandomWeights.create(config, false, 9, dtype)) {
                LlamaWeights heap = original.f32OnHeap();
                assertNotSame(original, heap);
                List<Tensor> from = new ArrayList<>(List.of(original.tokenEmbedding(), original.classifier()));
                List<Tensor> to = new ArrayList<>(List.of(heap.tokenEmbedding(), heap.classifier()));
                for (int l = 0; l < config.nLayers(); l++) {
                    from.addAll(original.layer(l).matrices());
                    to.addAll(heap.layer(l).matrices());
                }
                for (int i = 0; i < from.size(); i++) {
                    Tensor a = from.get(i), b = to.get(i);
                    assertEquals(DType.F32, b.dtype(), b.name());
                    float[] row = new float[a.cols()];
                    for (long r = 0; r < a.rows(); r++) {
                        WeightRows.lookup(a, r, row, 0);
                        assertArrayEquals(row, Arrays.copyOfRange(b.floatArray(), (int) (r * a.cols()), (int) ((r + 1) * a.cols())),
                                dtype + " " + a.name() + " row " + r);
                    }
                }
            }
        }
    }
}

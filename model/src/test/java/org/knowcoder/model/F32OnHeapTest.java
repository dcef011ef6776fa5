package org.knowcoder.model;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.Q8Quantizer;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** F32 weights copied into heap arrays decode to the same bits as the originals, on 1 and 2 threads. */
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
}

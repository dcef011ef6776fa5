package org.knowcoder.model;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.parallel.WorkerPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/** F32 weights copied into heap arrays decode to the same bits as the originals, on 1 and 2 threads. */
class F32OnHeapTest {
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

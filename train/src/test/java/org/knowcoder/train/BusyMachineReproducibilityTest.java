package org.knowcoder.train;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaConfig;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.session.LlamaSession;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding and training give the same bits on every run, whatever else the machine is doing and
 * however far the JIT has got: each is repeated on 1 to 3 threads while spinning threads compete
 * for the cores (which moves both the work-claiming pool's schedule and the moment each kernel gets
 * compiled), and every repetition must match the first to the bit. Issue 23, item 20: F32 weights
 * copied to the heap decoded differently from the mapped originals when the machine was busy.
 */
class BusyMachineReproducibilityTest {
    /** Wide enough for every vector path: whole vectors of columns, and 16+ positions of attention. */
    private static final LlamaConfig CONFIG = new LlamaConfig(64, 128, 1, 4, 2, 96, 32, 1e-5f, 10000f);
    private static final int REPEATS = 4;
    private static final int[] PROMPT = {1, 7, 33, 2, 95, 40, 12, 5, 61};
    private static final int DECODED = 12;

    private final List<Thread> spinners = new ArrayList<>();
    private volatile boolean stop;
    /** Where the spinners leave their result, so that their loops are not optimized away. */
    private volatile double sink;

    @BeforeEach
    void busyMachine() {
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                double x = 1;
                while (!stop) x = x * 1.0000001 + 1e-9;
                sink = x;
            }, "busy-" + i);
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
    }

    @AfterEach
    void idleMachine() throws InterruptedException {
        stop = true;
        for (Thread t : spinners) t.join();
    }

    @Test
    void decodingIsTheSameOnEveryRunAndEveryThreadCount() {
        try (LlamaWeights f32 = RandomWeights.create(CONFIG, false, 11);
             LlamaWeights bf16 = RandomWeights.create(CONFIG, true, 12, DType.BF16);
             LlamaWeights q8 = f32.quantize(DType.Q8_0)) {
            LlamaWeights heap = f32.f32OnHeap();
            LlamaWeights[] models = {f32, heap, bf16, q8};
            String[] names = {"F32", "F32 on the heap", "BF16", "Q8_0"};
            float[][] first = new float[models.length][];
            Mismatches mismatches = new Mismatches();
            for (int rep = 0; rep < REPEATS; rep++) {
                for (int threads = 1; threads <= 3; threads++) {
                    try (WorkerPool pool = new WorkerPool(threads)) {
                        for (int m = 0; m < models.length; m++) {
                            float[] bits = decode(models[m], pool);
                            // the heap copy must decode exactly like the mapped original
                            if (first[m] == null) first[m] = m == 1 ? first[0] : bits;
                            mismatches.check(first[m], bits, names[m] + ", repetition " + rep + ", " + threads + " threads");
                        }
                    }
                }
            }
            mismatches.assertNone();
        }
    }

    /** The logits of a prefilled prompt and of each token decoded after it, one after another. */
    private static float[] decode(LlamaWeights weights, WorkerPool pool) {
        int vocab = CONFIG.vocabSize();
        float[] all = new float[(DECODED + 1) * vocab];
        LlamaSession session = new LlamaSession(weights, pool);
        float[] logits = session.prefill(PROMPT, 0);
        System.arraycopy(logits, 0, all, 0, vocab);
        int token = PROMPT[PROMPT.length - 1];
        for (int i = 0; i < DECODED; i++) {
            token = (token * 31 + i) % vocab;
            System.arraycopy(session.forward(token, PROMPT.length + i), 0, all, (i + 1) * vocab, vocab);
        }
        return all;
    }

    @Test
    void aTrainingStepIsTheSameOnEveryRunAndEveryThreadCount() {
        Examples data = TinyRun.examples(8, 21);
        float[] first = null;
        Mismatches mismatches = new Mismatches();
        for (int rep = 0; rep < REPEATS; rep++) {
            for (int threads = 1; threads <= 3; threads++) {
                try (WorkerPool pool = new WorkerPool(threads)) {
                    Trainer trainer = TinyRun.trainer(pool, 4, 10);
                    Trainer.StepResult r = trainer.step(data.step(0, 4, 2));
                    List<float[]> state = new ArrayList<>();
                    state.add(new float[] {(float) r.loss(), (float) r.gradNorm()});
                    for (Parameter p : trainer.params()) state.add(p.var().value());
                    float[] all = concat(state);
                    if (first == null) first = all;
                    mismatches.check(first, all, "loss, gradient norm and weights, repetition " + rep + ", " + threads + " threads");
                }
            }
        }
        mismatches.assertNone();
    }

    private static float[] concat(List<float[]> parts) {
        float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Runs compared with the first and those that differed from it in any bit, reported together. */
    private static final class Mismatches {
        private int runs;
        private final List<String> differed = new ArrayList<>();

        void check(float[] expected, float[] actual, String run) {
            runs++;
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                    differed.add(run + ": element " + i + " was " + actual[i] + ", expected " + expected[i]);
                    return;
                }
            }
        }

        void assertNone() {
            assertTrue(differed.isEmpty(), differed.size() + " of " + runs + " runs differed from the first; the first few: "
                    + differed.subList(0, Math.min(3, differed.size())));
        }
    }
}

package org.knowcoder.model.session;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.testing.TestPool;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.tensor.device.CpuDevice;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.knowcoder.testing.Approx.assertArraysClose;

/**
 * Several sequences in one session: a prefix copied between caches and one batched decode step per
 * token give each sequence the logits it gets alone (1e-4), and the greedy ids: on a random model of stories260K's
 * shape, since what is checked is our own batching, not a model's answers. Both
 * implementations of the session contract are held to it: the CPU's and the device-neutral one on
 * the CPU device, whose logits must also agree with each other within 1e-5 (relative).
 */
class MultiSequenceTest {
    /** The session implementations under test. */
    enum Kind {
        CPU, DEVICE;

        DecodingSession open(LlamaWeights w, int sequences) {
            return this == CPU ? new LlamaSession(w, TestPool.TWO_THREADS, sequences)
                    : new DeviceSession(w, new CpuDevice(TestPool.TWO_THREADS), sequences);
        }
    }

    private static final int[] PREFIX = {1, 403, 407, 261, 378, 263, 302, 327, 280};
    private static final int[][] SUFFIXES = {{284, 266}, {395}, {347, 262, 429}};

    @ParameterizedTest
    @EnumSource(Kind.class)
    void batchedDecodeMatchesEachSequenceAlone(Kind kind) {
        try (LlamaWeights w = RandomModels.stories()) {
            int vocab = w.config().vocabSize(), n = SUFFIXES.length, steps = 12;
            // alone: each prompt in its own one-sequence session, greedy
            float[][][] alone = new float[n][steps][];
            for (int s = 0; s < n; s++) {
                LlamaSession one = new LlamaSession(w, TestPool.TWO_THREADS);
                int[] prompt = concat(PREFIX, SUFFIXES[s]);
                float[] logits = one.prefill(prompt, 0);
                for (int step = 0, pos = prompt.length; step < steps; step++, pos++) {
                    alone[s][step] = logits.clone();
                    logits = one.forward(Sampler.argmax(logits), pos);
                }
            }
            // together: the prefix once in sequence 0, copied; suffixes prefilled; then one batched step per token
            DecodingSession many = kind.open(w, n + 1);
            many.prefill(0, PREFIX, 0);
            int[] seqs = new int[n], tokens = new int[n], positions = new int[n];
            for (int s = 0; s < n; s++) {
                many.copyPrefix(0, s + 1, PREFIX.length);
                float[] logits = many.prefill(s + 1, SUFFIXES[s], PREFIX.length);
                assertArraysClose(alone[s][0], logits, 1e-4, 0, "sequence " + s + " prompt logits");
                seqs[s] = s + 1;
                tokens[s] = Sampler.argmax(logits);
                positions[s] = PREFIX.length + SUFFIXES[s].length;
            }
            for (int step = 1; step < steps; step++) {
                float[] rows = many.decode(seqs, tokens, positions, n);
                for (int s = 0; s < n; s++) {
                    float[] row = Arrays.copyOfRange(rows, s * vocab, (s + 1) * vocab);
                    assertArraysClose(alone[s][step], row, 1e-4, 0, "sequence " + s + " step " + step);
                    tokens[s] = Sampler.argmax(row);
                    positions[s]++;
                }
            }
        }
    }

    /** Prompt tails prefilled in shared passes (split across passes too) give each sequence its own logits. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void sharedPrefillMatchesSeparatePrefills(Kind kind) {
        try (LlamaWeights w = RandomModels.stories()) {
            int vocab = w.config().vocabSize();
            int[] longTail = new int[150]; // longer than one pass of 128 rows
            for (int i = 0; i < longTail.length; i++) longTail[i] = 3 + (i * 37) % 500;
            int[][] tails = {SUFFIXES[0], longTail, SUFFIXES[2]};
            DecodingSession many = kind.open(w, 4);
            many.prefill(0, PREFIX, 0);
            for (int s = 1; s <= 3; s++) many.copyPrefix(0, s, PREFIX.length);
            float[] rows = many.prefillMany(new int[] {1, 2, 3}, tails, new int[] {PREFIX.length, PREFIX.length, PREFIX.length}).clone();
            for (int s = 0; s < 3; s++) {
                float[] alone = new LlamaSession(w, TestPool.TWO_THREADS).prefill(concat(PREFIX, tails[s]), 0);
                assertArraysClose(alone, Arrays.copyOfRange(rows, s * vocab, (s + 1) * vocab), 1e-4, 0, "sequence " + s);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void moreRowsThanSequencesIsAnError(Kind kind) {
        try (LlamaWeights w = RandomModels.stories()) {
            DecodingSession two = kind.open(w, 2);
            assertThrows(IllegalArgumentException.class, () -> two.decode(new int[] {0, 1, 1}, new int[] {1, 1, 1}, new int[] {0, 0, 0}, 3));
        }
    }

    /** Step by step, the two implementations' batched logits agree within 1e-5, relative to each logit (at least 1). */
    @org.junit.jupiter.api.Test
    void bothImplementationsGiveTheSameBatchedLogits() {
        try (LlamaWeights w = RandomModels.stories()) {
            int n = SUFFIXES.length;
            DecodingSession cpu = Kind.CPU.open(w, n + 1), device = Kind.DEVICE.open(w, n + 1);
            int[] seqs = new int[n], tokens = new int[n], positions = new int[n];
            for (DecodingSession s : new DecodingSession[] {cpu, device}) s.prefill(0, PREFIX, 0);
            for (int s = 0; s < n; s++) {
                cpu.copyPrefix(0, s + 1, PREFIX.length);
                device.copyPrefix(0, s + 1, PREFIX.length);
                seqs[s] = s + 1;
                positions[s] = PREFIX.length;
                tokens[s] = SUFFIXES[s][0];
            }
            for (int step = 0; step < 8; step++) {
                float[] a = cpu.decode(seqs, tokens, positions, n).clone(), b = device.decode(seqs, tokens, positions, n);
                // the two may sum in different orders (matrix kernels of one row or several): a few ulps of logits near 13
                int vocab = w.config().vocabSize();
                assertArraysClose(Arrays.copyOf(a, n * vocab), Arrays.copyOf(b, n * vocab), 1e-5, 1e-5, "step " + step);
                for (int s = 0; s < n; s++) {
                    tokens[s] = Sampler.argmax(a, s * w.config().vocabSize(), w.config().vocabSize());
                    positions[s]++;
                }
            }
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package org.knowcoder.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.RandomWeights;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;
import org.knowcoder.testing.TestPool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packing is a layout, not a change of what is learned: the packed batch of a step has the same
 * targets and weights as one sequence per example, the same loss and gradients up to float
 * rounding, and a packed run is as deterministic and as resumable as an unpacked one.
 */
class PackingTest {
    private static final WorkerPool POOL = TestPool.TWO_THREADS;

    @Test
    void examplesGoOneAfterAnotherIntoOneSequenceWithoutPadding() {
        // 4, 6, 3, 2 and 8 rows (the 10 tokens cut to 9), and one token (no target) left out, with sequences of 8 positions
        List<Examples.Example> examples = List.of(example(5, 0), example(7, 2), example(4, 0), example(3, 0), example(10, 0), example(1, 0));
        TokenBatch b = Packing.pack(examples, 8);
        assertEquals(1, b.sequences());
        assertArrayEquals(new int[] {0, 1, 2, 3, /**/ 0, 1, 2, 3, 4, 5, /**/ 0, 1, 2, /**/ 0, 1, /**/ 0, 1, 2, 3, 4, 5, 6, 7}, b.layout().positions());
        int[] first = examples.getFirst().tokens(), second = examples.get(1).tokens();
        assertEquals(first[0], b.inputs()[0]);
        assertEquals(first[1], b.targets()[0]);
        assertEquals(second[1], b.targets()[4]);
        assertEquals(0f, b.weights()[4], "the second example's prompt token 1 is masked");
        assertEquals(1f, b.weights()[5]);
        assertEquals(examples.get(2).tokens()[0], b.inputs()[10]);
        assertEquals(8, b.layout().span(b.seqLen()), "positions stay within the examples' cut");
        assertEquals(4 + 5 + 3 + 2 + 8, b.weightSum());
    }

    @Test
    void aBatchWithoutTargetsIsOnePaddingRow() {
        TokenBatch b = Packing.pack(List.of(example(1, 0)), 8);
        assertEquals(1, b.inputs().length);
        assertEquals(0f, b.weightSum());
    }

    @Test
    void packedLossAndGradientsEqualThoseOfOneSequencePerExample() {
        List<Examples.Example> examples = randomExamples(16, 4);
        TokenBatch unpacked = new Examples(examples, 16, 1).step(0, 16, 16).getFirst();
        TokenBatch packed = new Examples(examples, 16, 1, true).step(0, 16, 16).getFirst();
        assertTrue(packed.inputs().length < unpacked.inputs().length, packed.inputs().length + " rows");
        assertEquals(unpacked.weightSum(), packed.weightSum());
        assertSameLossAndGradients(unpacked, packed);
    }

    @Test
    void eachExamplesLogitsAreThoseOfTheExampleRunAlone() {
        TokenBatch packed = Packing.pack(randomExamples(6, 9), 8);
        int vocab = TinyRun.CONFIG.vocabSize();
        try (LlamaWeights w = RandomWeights.create(TinyRun.CONFIG, false, 4)) {
            TrainingForward forward = new TrainingForward(LlamaParams.trainable(w), null);
            Var all = forward.logits(new Tape(POOL), packed.inputs(), packed.seqLen(), packed.layout());
            // each example, found by the position 0 that starts it, from position 0 in a sequence of its own
            for (int r = 0; r < packed.inputs().length; ) {
                int end = r + 1;
                while (end < packed.inputs().length && packed.layout().positions()[end] != 0) end++;
                int[] alone = Arrays.copyOfRange(packed.inputs(), r, end);
                Var one = forward.logits(new Tape(POOL), alone, alone.length);
                for (int i = 0; i < one.size(); i++) {
                    assertEquals(one.value()[i], all.value()[r * vocab + i], 1e-5f, "row " + (r + i / vocab));
                }
                r = end;
            }
        }
    }

    @Test
    void examplesThatBeginAlikeShareThePrefixRows() {
        // 12 tokens each, the first 10 common: one prefix of 9 rows (its last target common too), then 2 rows each;
        // the group's 15 rows are more than the 11 positions an example may take, and stay one group
        int[] prompt = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        List<Examples.Example> examples = List.of(withPrompt(prompt, 20, 21), withPrompt(prompt, 22, 23), withPrompt(prompt, 24, 25));
        TokenBatch b = Packing.pack(examples, 11);
        assertEquals(1, b.sequences());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 10, 9, 10}, b.layout().positions());
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, 8, 8, 8, 8, 8, 8}, b.layout().prefixEnds());
        assertArrayEquals(new int[] {14, 20, 14, 22, 14, 24}, Arrays.copyOfRange(b.inputs(), 9, 15));
        assertArrayEquals(new int[] {20, 21, 22, 23, 24, 25}, Arrays.copyOfRange(b.targets(), 9, 15));
        assertEquals(0f, b.weights()[8], "prompt targets weigh 0 for each example");
        assertEquals(6, b.weightSum());
    }

    @Test
    void aSecondPromptInAMicroBatchKeepsItsOwnPrefix() {
        // every prompt begins with the same 9-token header, then 5 tokens of its own, then 1 output token (14 rows);
        // one example of prompt A, then three of prompt B: A alone (14 rows) and B's 13 common rows once (13 + 3 * 1),
        // not all four sharing the header's 8 rows (8 + 4 * 6)
        int[] header = {3, 4, 5, 6, 7, 8, 9, 10, 11}, a = new int[14], b = new int[14];
        System.arraycopy(header, 0, a, 0, 9);
        System.arraycopy(header, 0, b, 0, 9);
        Arrays.fill(a, 9, 14, 12);
        Arrays.fill(b, 9, 14, 13);
        List<Examples.Example> examples = List.of(withPrompt(a, 20), withPrompt(b, 22), withPrompt(b, 24), withPrompt(b, 26));
        TokenBatch packed = Packing.pack(examples, 15);
        assertEquals(14 + 13 + 3, packed.inputs().length);
        assertEquals(-1, packed.layout().prefixEnds()[13], "prompt A's example is alone");
        assertArrayEquals(new int[] {26, 26, 26}, Arrays.copyOfRange(packed.layout().prefixEnds(), 27, 30), "prompt B's own rows continue its 13 shared rows");
        assertSameLossAndGradients(new Examples(examples, 15, 1).step(0, 4, 4).getFirst(), packed);
    }

    @Test
    void sharedPrefixLossAndGradientsEqualThoseOfOneSequencePerExample() {
        List<Examples.Example> examples = sharedPromptExamples(12, 8);
        TokenBatch unpacked = new Examples(examples, 16, 1).step(0, 12, 12).getFirst();
        TokenBatch shared = new Examples(examples, 16, 1, true).step(0, 12, 12).getFirst();
        assertTrue(shared.layout().prefixEnds() != null, "the examples share their prompt");
        assertTrue(shared.inputs().length * 2 < unpacked.inputs().length, shared.inputs().length + " rows");
        assertEquals(unpacked.weightSum(), shared.weightSum());
        assertSameLossAndGradients(unpacked, shared);
    }

    /** The same model from the same seed: loss and every gradient of {@code b} within float rounding of {@code a}'s. */
    private static void assertSameLossAndGradients(TokenBatch expected, TokenBatch actual) {
        Trainer a = TinyRun.trainer(POOL, 3, 10), b = TinyRun.trainer(POOL, 3, 10);
        double want = a.accumulate(List.of(expected)), got = b.accumulate(List.of(actual));
        assertEquals(want, got, 1e-5 * want);
        for (int i = 0; i < a.params().size(); i++) {
            float[] x = a.params().get(i).var().grad(), y = b.params().get(i).var().grad();
            double diff = 0, norm = 0;
            for (int j = 0; j < x.length; j++) {
                diff += (double) (x[j] - y[j]) * (x[j] - y[j]);
                norm += (double) x[j] * x[j];
            }
            assertTrue(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm), a.params().get(i).name());
        }
    }

    @Test
    void groupedByPromptAMicroBatchSharesItsPromptAndWhatDoesNotFitIsLeftOut() {
        List<Examples.Example> examples = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int[] prompt = new int[9];
            Arrays.fill(prompt, 1 + p);
            for (int i = 0; i < 4; i++) examples.add(withPrompt(prompt, 20 + i, 30 + p));
        }
        examples.add(withPrompt(new int[16], 5, 6)); // 18 tokens: cut to 17, it would lose its output
        examples.add(new Examples.Example(new int[] {7, 8, 9}, new int[3])); // no target at all
        Examples grouped = new Examples(examples, 16, 3).groupedByPrompt(4);
        assertEquals(12, grouped.size());
        Set<Integer> prompts = new HashSet<>();
        for (int step = 0; step < 3; step++) {
            TokenBatch b = grouped.step(step, 4, 4).getFirst();
            assertEquals(1, b.sequences(), "four examples of one prompt: 8 shared rows and 2 of each");
            assertEquals(8, b.weightSum());
            assertEquals(4 * 2, Arrays.stream(b.layout().prefixEnds()).filter(e -> e == 7).count());
            prompts.add(b.inputs()[0]);
        }
        assertEquals(Set.of(1, 2, 3), prompts, "each prompt's block once an epoch");
    }

    @Test
    void packedRunIsDeterministicAndResumesBitIdentically(@TempDir Path dir) throws IOException {
        Trainer straight = TinyRun.trainer(POOL, 2, 20), again = TinyRun.trainer(POOL, 2, 20);
        Examples data = TinyRun.examples(40, 5, true);
        for (int s = 0; s < 20; s++) {
            straight.step(data.step(s, 8, 4));
            again.step(TinyRun.examples(40, 5, true).step(s, 8, 4));
        }
        Trainer first = TinyRun.trainer(POOL, 2, 20);
        for (int s = 0; s < 10; s++) first.step(data.step(s, 8, 4));
        TrainingCheckpoint.save(dir, first, JsonNodeFactory.instance.objectNode().put("seed", 5));
        Trainer resumed = TinyRun.trainer(POOL, 99, 20);
        TrainingCheckpoint.load(TrainingCheckpoint.latest(dir), resumed);
        Examples reread = TinyRun.examples(40, 5, true);
        while (resumed.step() < 20) resumed.step(reread.step(resumed.step(), 8, 4));
        for (int i = 0; i < straight.params().size(); i++) {
            String name = straight.params().get(i).name();
            assertArrayEquals(straight.params().get(i).var().value(), again.params().get(i).var().value(), 0f, name);
            assertArrayEquals(straight.params().get(i).var().value(), resumed.params().get(i).var().value(), 0f, name);
        }
    }

    @Test
    void realTokensCountTheExamplesRowsPackedOrNot() {
        Examples unpacked = TinyRun.examples(12, 7), packed = TinyRun.examples(12, 7, true);
        for (int s = 0; s < 3; s++) {
            long real = 0; // TinyRun's examples have no masks: only padding weighs 0
            for (TokenBatch b : packed.step(s, 4, 2)) {
                for (int r = 0; r < b.inputs().length; r++) if (b.weights()[r] != 0) real++;
            }
            assertEquals(real, packed.realTokens(s, 4));
            assertEquals(real, unpacked.realTokens(s, 4));
        }
    }

    /** {@code n} tokens, the first {@code prompt} of them outside the loss. */
    private static Examples.Example example(int n, int prompt) {
        int[] t = new int[n], mask = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1 + (n * 7 + i) % 39;
            mask[i] = i < prompt ? 0 : 1;
        }
        return new Examples.Example(t, mask);
    }

    /** The prompt (outside the loss), then the output tokens. */
    private static Examples.Example withPrompt(int[] prompt, int... output) {
        int[] t = Arrays.copyOf(prompt, prompt.length + output.length), mask = new int[t.length];
        System.arraycopy(output, 0, t, prompt.length, output.length);
        Arrays.fill(mask, prompt.length, t.length, 1);
        return new Examples.Example(t, mask);
    }

    /** A common 10-token beginning and 1..4 tokens of their own; the loss starts anywhere, in the prompt too. */
    private static List<Examples.Example> sharedPromptExamples(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] prompt = new int[10];
        for (int j = 0; j < prompt.length; j++) prompt[j] = rng.nextInt(TinyRun.CONFIG.vocabSize());
        List<Examples.Example> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = prompt.length + 1 + rng.nextInt(4), lossFrom = 1 + rng.nextInt(n - 1);
            int[] t = Arrays.copyOf(prompt, n), mask = new int[n];
            for (int j = prompt.length; j < n; j++) t[j] = rng.nextInt(TinyRun.CONFIG.vocabSize());
            Arrays.fill(mask, lossFrom, n, 1);
            out.add(new Examples.Example(t, mask));
        }
        return out;
    }

    private static List<Examples.Example> randomExamples(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Examples.Example> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = 2 + rng.nextInt(11), prompt = rng.nextInt(n);
            int[] t = new int[n], mask = new int[n];
            for (int j = 0; j < n; j++) {
                t[j] = rng.nextInt(TinyRun.CONFIG.vocabSize());
                mask[j] = j < prompt ? 0 : 1;
            }
            out.add(new Examples.Example(t, mask));
        }
        return out;
    }
}

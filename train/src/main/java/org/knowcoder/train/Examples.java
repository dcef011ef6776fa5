package org.knowcoder.train;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.training.TokenBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training examples in a fixed, seeded order: each epoch is a fresh shuffle drawn from (seed, epoch),
 * so the batch of any step is a function of the step number alone and a resumed run reads exactly
 * the data the uninterrupted run would have. Every example becomes one sequence of seqLen + 1
 * tokens: longer ones are cut, shorter ones padded with token 0 under mask 0. Packed, a micro-batch's
 * examples share sequences instead ({@link Packing}): the same examples, targets and weights per
 * step, fewer padding rows.
 */
public final class Examples {
    /** Token ids and the per-token loss mask (null: every token is a target). */
    public record Example(int[] tokens, int[] mask) {}

    /** Examples by index, read when a batch needs them (a memory-mapped shard need not fit on the heap). */
    public interface Source {
        int size();

        Example get(int index);

        /** The example's token count (a source that knows it without reading the tokens says so). */
        default int length(int index) {
            return get(index).tokens().length;
        }
    }

    private final Source examples;
    private final int seqLen;
    private final long seed;
    private final boolean pack;
    private long cachedEpoch = -1;
    private int[] order;

    public Examples(List<Example> examples, int seqLen, long seed) {
        this(examples, seqLen, seed, false);
    }

    /** With {@code pack}, each micro-batch packs its examples into as few sequences as hold them. */
    public Examples(List<Example> examples, int seqLen, long seed, boolean pack) {
        this(new Source() {
            private final List<Example> list = List.copyOf(examples);

            @Override public int size() { return list.size(); }
            @Override public Example get(int index) { return list.get(index); }
        }, seqLen, seed, pack);
    }

    public Examples(Source examples, int seqLen, long seed) {
        this(examples, seqLen, seed, false);
    }

    public Examples(Source examples, int seqLen, long seed, boolean pack) {
        if (examples.size() == 0) throw new BadInputException("no training examples");
        this.examples = examples;
        this.seqLen = seqLen;
        this.seed = seed;
        this.pack = pack;
    }

    public int size() {
        return examples.size();
    }

    /**
     * The global batch of {@code step} ({@code globalBatch} examples) as micro-batches of
     * {@code microBatch} examples: one sequence each, or packed.
     */
    public List<TokenBatch> step(long step, int globalBatch, int microBatch) {
        if (globalBatch % microBatch != 0) {
            throw new IllegalArgumentException("global batch " + globalBatch + " is not a multiple of micro-batch " + microBatch);
        }
        List<TokenBatch> out = new ArrayList<>();
        for (int m = 0; m < globalBatch / microBatch; m++) {
            List<Example> micro = new ArrayList<>(microBatch);
            for (int i = 0; i < microBatch; i++) micro.add(example(step * globalBatch + (long) m * microBatch + i));
            out.add(pack ? Packing.pack(micro, seqLen) : unpacked(micro));
        }
        return out;
    }

    /**
     * The (input, target) rows of {@code step} that hold an example's tokens rather than padding:
     * the work that counts, the same packed or not.
     */
    public long realTokens(long step, int globalBatch) {
        long n = 0;
        for (int i = 0; i < globalBatch; i++) n += Packing.rows(examples.length(index(step * globalBatch + i)), seqLen);
        return n;
    }

    private TokenBatch unpacked(List<Example> micro) {
        int[][] seqs = new int[micro.size()][], masks = new int[micro.size()][];
        for (int i = 0; i < seqs.length; i++) {
            Example e = micro.get(i);
            seqs[i] = fit(e.tokens(), 0);
            masks[i] = fit(e.mask() != null ? e.mask() : ones(e.tokens().length), 0);
        }
        return TokenBatch.of(seqs, masks);
    }

    private Example example(long k) {
        return examples.get(index(k));
    }

    /** The index of the k-th example the run reads. */
    private int index(long k) {
        long epoch = k / examples.size();
        if (epoch != cachedEpoch) {
            order = shuffle(examples.size(), new SplittableRandom(seed ^ (epoch * 0x9E3779B97F4A7C15L)));
            cachedEpoch = epoch;
        }
        return order[(int) (k % examples.size())];
    }

    private static int[] shuffle(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private int[] fit(int[] values, int pad) {
        int[] out = new int[seqLen + 1];
        java.util.Arrays.fill(out, pad);
        System.arraycopy(values, 0, out, 0, Math.min(values.length, out.length));
        return out;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}

package org.knowcoder.train;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.training.TokenBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training examples in a fixed, seeded order: each epoch is a fresh shuffle drawn from (seed, epoch),
 * so the batch of any step is a function of the step number alone and a resumed run reads exactly
 * the data the uninterrupted run would have. Every example becomes one sequence of seqLen + 1
 * tokens: longer ones are cut, shorter ones padded with token 0 under mask 0. Packed, a micro-batch's
 * examples share one sequence instead ({@link Packing}): the same examples, targets and weights per
 * step, no padding rows.
 *
 * <p>Grouped by prompt ({@link #groupedByPrompt}), each epoch orders the examples so that a
 * micro-batch's examples begin alike, and packing then holds their common prompt once: the
 * shuffled examples are sorted by their first {@link #PROMPT_KEY} tokens, cut into blocks of a
 * micro-batch each, and the blocks shuffled (a short last block stays last, so that every other one
 * is a micro-batch). The blocks are the same every epoch, their order is not. An instruction that
 * does not fit a sequence whole is left out there: cut, it would teach a results list without its
 * end, or nothing at all (and sorted together, such examples would make whole steps of no target).
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
    /** Examples per block of like beginnings; 0: a plain shuffle. */
    private final int block;
    /** Grouped by prompt: the examples an epoch reads (those that fit whole) and their sort keys, read once. */
    private int[] kept;
    private int[][] keys;
    private long cachedEpoch = -1;
    private int[] order;

    /** Tokens compared when grouping by prompt: every prompt of the recipe's schema-following data but the longest EAE ones. */
    static final int PROMPT_KEY = 512;

    public Examples(List<Example> examples, int seqLen, long seed) {
        this(examples, seqLen, seed, false);
    }

    /** With {@code pack}, each micro-batch packs its examples into one sequence of their rows. */
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
        this(examples, seqLen, seed, pack, 0);
    }

    private Examples(Source examples, int seqLen, long seed, boolean pack, int block) {
        if (examples.size() == 0) throw new BadInputException("no training examples");
        this.examples = examples;
        this.seqLen = seqLen;
        this.seed = seed;
        this.pack = pack;
        this.block = block;
    }

    /** These examples, packed, in blocks of {@code microBatch} that begin alike (see the class comment). */
    public Examples groupedByPrompt(int microBatch) {
        if (microBatch < 1) throw new IllegalArgumentException("a block needs at least one example, got " + microBatch);
        return new Examples(examples, seqLen, seed, true, microBatch);
    }

    /** The examples an epoch reads. */
    public int size() {
        return kept().length;
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
            for (int i = 0; i < microBatch; i++) micro.add(examples.get(index(step * globalBatch + (long) m * microBatch + i)));
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

    /** The index of the k-th example the run reads. */
    private int index(long k) {
        int[] kept = kept();
        long epoch = k / kept.length;
        if (epoch != cachedEpoch) {
            SplittableRandom rng = new SplittableRandom(seed ^ (epoch * 0x9E3779B97F4A7C15L));
            order = shuffle(kept.length, rng);
            if (block > 0) order = blocksOfLikeBeginnings(order, rng);
            cachedEpoch = epoch;
        }
        return kept[order[(int) (k % kept.length)]];
    }

    /** Every example's index; grouped by prompt, only those that fit a sequence whole with a target, keyed for sorting. */
    private int[] kept() {
        if (kept != null) return kept;
        if (block == 0) {
            kept = new int[examples.size()];
            for (int i = 0; i < kept.length; i++) kept[i] = i;
            return kept;
        }
        List<Integer> fit = new ArrayList<>();
        List<int[]> keyList = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            if (e.tokens().length > seqLen + 1 || (e.mask() != null && Arrays.stream(e.mask(), 1, e.mask().length).allMatch(m -> m == 0))) continue;
            fit.add(i);
            keyList.add(Arrays.copyOf(e.tokens(), Math.min(e.tokens().length, PROMPT_KEY)));
        }
        if (fit.isEmpty()) throw new BadInputException("no example fits a sequence of " + seqLen + " tokens whole with a target");
        keys = keyList.toArray(int[][]::new);
        kept = fit.stream().mapToInt(Integer::intValue).toArray();
        return kept;
    }

    /** {@code shuffled}, positions into kept(), reordered in blocks of like beginnings. */
    private int[] blocksOfLikeBeginnings(int[] shuffled, SplittableRandom rng) {
        int n = shuffled.length;
        Integer[] sorted = new Integer[n];
        for (int i = 0; i < n; i++) sorted[i] = shuffled[i];
        Arrays.sort(sorted, (a, b) -> Arrays.compare(keys[a], keys[b])); // stable: equal keys keep their shuffled order
        int whole = n / block;
        int[] blocks = shuffle(whole, rng), out = new int[n];
        for (int b = 0; b < whole; b++) for (int i = 0; i < block; i++) out[b * block + i] = sorted[blocks[b] * block + i];
        for (int i = whole * block; i < n; i++) out[i] = sorted[i];
        return out;
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
        Arrays.fill(out, pad);
        System.arraycopy(values, 0, out, 0, Math.min(values.length, out.length));
        return out;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }
}

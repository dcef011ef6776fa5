package org.knowcoder.tensor.autograd;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The arrays of a tape's intermediates (op outputs and their gradients), handed back when backward
 * drops them and handed out again, zeroed as far as asked, to a later op that needs as many floats or somewhat
 * fewer. A training step makes the same shapes as the one before, or nearly: packed fine-tuning
 * steps differ more (KnowCoder-mini's ask for 100 to 600 MB, as their blocks hold one prompt or
 * several, short sentences or long). So after the first steps the activations, most of them in
 * arrays the collector must treat as humongous, come from here instead of the heap: no allocation
 * churn for the collector to answer by growing the heap and marking it over and over.
 *
 * <p>A request takes the shortest free array at least as long and at most half as long again, so
 * an array may be longer than asked for: ops read and write only the first n. New arrays are made
 * a little longer than asked for ({@link #capacity}: at most a sixteenth), so that the next step a
 * few rows longer finds them too. Arrays that no pass has used in the last {@link #KEPT_PASSES} are
 * dropped, so memory follows the shapes in use: about twice what the largest recent step holds
 * (0.8 to 1.1 GB in KnowCoder-mini's fine-tuning). With exact sizes, kept one pass, nearly every
 * array of a packed fine-tuning step was new, and G1's pauses took some 5% of the wall time.
 * Synchronized: ops take and give on the tape's thread, but nothing forbids a worker to.
 */
final class FloatPool {
    /** Passes an array stays free after the last one that used it. */
    static final int KEPT_PASSES = 16;
    /** Below this, new arrays are exactly as long as asked for: small ones are not worth rounding. */
    private static final int EXACT_BELOW = 4096;

    /** A free array and the pass that handed it back (the one that used it: ops take and give within a pass). */
    private record Free(float[] array, int pass) {}

    /** Free arrays by length. */
    private final TreeMap<Integer, ArrayDeque<Free>> free = new TreeMap<>();
    private int pass;

    /** The length of a new array for a request of n floats: n rounded up to a sixteenth of the power of two below it. */
    static int capacity(int n) {
        if (n < EXACT_BELOW) return n;
        int step = Integer.highestOneBit(n) >>> 4;
        long rounded = ((long) n + step - 1) / step * step;
        return rounded > Integer.MAX_VALUE - 16 ? n : (int) rounded;
    }

    /**
     * An array whose first n floats are zeros: the shortest free one of n to n + n / 2 floats, else a
     * new one of {@link #capacity}(n).
     */
    synchronized float[] take(int n) {
        float[] a;
        Map.Entry<Integer, ArrayDeque<Free>> fit = free.ceilingEntry(n);
        if (fit != null && fit.getKey() <= n + n / 2) {
            a = fit.getValue().pop().array();
            if (fit.getValue().isEmpty()) free.remove(fit.getKey());
            Arrays.fill(a, 0, n, 0f); // past n nobody reads: filling it was up to half again the work
        } else {
            a = new float[capacity(n)];
        }
        return a;
    }

    /** Hands back an array taken here; the caller no longer reads or writes it. */
    synchronized void give(float[] a) {
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(new Free(a, pass));
    }

    /** Ends a pass: drops the free arrays that the last {@link #KEPT_PASSES} passes did not use. */
    synchronized void endPass() {
        pass++;
        for (Iterator<ArrayDeque<Free>> it = free.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Free> arrays = it.next();
            arrays.removeIf(f -> pass - f.pass() > KEPT_PASSES);
            if (arrays.isEmpty()) it.remove();
        }
    }
}

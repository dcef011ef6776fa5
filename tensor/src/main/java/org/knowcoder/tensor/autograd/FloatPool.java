package org.knowcoder.tensor.autograd;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The arrays of a tape's intermediates (op outputs and their gradients), handed back when backward
 * drops them and handed out again, zeroed, to the next op that needs that many floats. A training
 * step makes the same shapes as the one before, so after the first step the activations of a 15M
 * model (about a gigabyte a step, most of it in arrays the collector must treat as humongous) come
 * from here instead of the heap: no allocation churn for the collector to answer by growing the
 * heap, and the resident set stays near what one step holds.
 *
 * <p>Sizes that a whole pass (forward and backward) did not ask for are dropped at its end, so
 * shapes that change from batch to batch (the rows whose target counts) are kept one pass at most.
 * Synchronized: ops take and give on the tape's thread, but nothing forbids a worker to.
 */
final class FloatPool {
    private static final class Bucket {
        final ArrayDeque<float[]> free = new ArrayDeque<>();
        boolean used;
    }

    private final Map<Integer, Bucket> buckets = new HashMap<>();

    /** n zeros. */
    synchronized float[] take(int n) {
        Bucket b = buckets.computeIfAbsent(n, size -> new Bucket());
        b.used = true;
        float[] a = b.free.poll();
        if (a == null) return new float[n];
        Arrays.fill(a, 0f);
        return a;
    }

    /** Hands back an array taken here; the caller no longer reads or writes it. */
    synchronized void give(float[] a) {
        Bucket b = buckets.get(a.length);
        if (b != null) b.free.push(a);
    }

    /** Ends a pass: drops the sizes it did not take. */
    synchronized void endPass() {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (!b.used) it.remove();
            b.used = false;
        }
    }
}

package org.knowcoder.parallel;

import java.util.Arrays;
import java.util.List;

/**
 * Maps work over a batch of inputs on the worker pool and returns the results in input order, so
 * the output is the same for any number of threads (each input's randomness must come from the
 * input itself, not from the thread or the order of completion). Memory stays at one batch.
 */
public final class OrderedBatches {
    private OrderedBatches() {}

    /** The work on one input; it may throw one checked exception type. */
    @FunctionalInterface
    public interface Work<I, O, E extends Exception> {
        O apply(I input) throws E;
    }

    /**
     * The results of {@code work} on each of {@code inputs}, in their order. A work item's exception
     * reaches the caller as it was thrown (checked ones too); when several fail, the first input's
     * does, whichever thread failed first, so the error is the same for any number of threads.
     */
    @SuppressWarnings("unchecked")
    public static <I, O, E extends Exception> List<O> map(WorkerPool pool, List<I> inputs, Work<I, O, E> work) throws E {
        Object[] out = new Object[inputs.size()];
        Exception[] failed = new Exception[out.length];
        pool.parallelFor(out.length, (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                try {
                    out[i] = work.apply(inputs.get(i));
                } catch (Exception e) {
                    failed[i] = e; // the rest of this block cannot hold an earlier failure
                    return;
                }
            }
        });
        for (Exception e : failed) {
            if (e instanceof RuntimeException r) throw r;
            if (e != null) throw (E) e;
        }
        return (List<O>) Arrays.asList(out);
    }
}

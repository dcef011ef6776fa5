package org.knowcoder.model.format;

import java.io.IOException;

/**
 * A tensor as a writer streams it: its name and shape, and what writes its values (row-major, in
 * the file's dtype) when the writer reaches it. The values are made or copied only then, so a file
 * of any size passes through a row of memory, and writing the same list again gives the same bytes.
 */
record StreamedTensor(String name, long[] shape, Body body) {
    @FunctionalInterface
    interface Body {
        void write(TensorOutput out) throws IOException;
    }

    /** The number of values. */
    long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}

package org.knowcoder.tokenizer.spm;

import java.util.Arrays;

/** A segmentation of the normalized bytes: pieces as (byte start, byte end, id), in order, reused between calls. */
final class Segmentation {
    int[] starts = new int[64], ends = new int[64], ids = new int[64];
    int size;

    void clear() {
        size = 0;
    }

    void add(int start, int end, int id) {
        if (size == ids.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        starts[size] = start;
        ends[size] = end;
        ids[size++] = id;
    }

    /** Reverses the pieces (encoders that backtrack emit them last to first). */
    void reverse() {
        for (int i = 0, j = size - 1; i < j; i++, j--) {
            swap(starts, i, j);
            swap(ends, i, j);
            swap(ids, i, j);
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

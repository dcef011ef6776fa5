package org.knowcoder.tokenizer.spm;

/**
 * Sorts suffixes of a text of short words, each ended by a separator that occurs nowhere else
 * (any negative value), so that every comparison stops within one word: three-way radix
 * quicksort (multikey quicksort), which looks at each character of a common prefix once per
 * partitioning level instead of once per comparison.
 */
final class SuffixSort {
    private static final int SMALL = 12;

    private SuffixSort() {}

    /** Sorts the start positions {@code suffixes} (of non-separator characters) of {@code text} in place. */
    static void sort(int[] text, int[] suffixes) {
        sort(text, suffixes, 0, suffixes.length, 0);
    }

    private static void sort(int[] text, int[] a, int lo, int hi, int depth) {
        while (hi - lo > 1) {
            if (hi - lo <= SMALL) {
                insertionSort(text, a, lo, hi, depth);
                return;
            }
            int pivot = medianOfThree(text, a, lo, hi, depth);
            int lt = lo, gt = hi, i = lo;
            while (i < gt) {
                int c = text[a[i] + depth];
                if (c < pivot) swap(a, lt++, i++);
                else if (c > pivot) swap(a, i, --gt);
                else i++;
            }
            // the smaller outer part recursively, the larger iteratively, keeps the stack shallow
            if (lt - lo < hi - gt) {
                sort(text, a, lo, lt, depth);
                if (pivot >= 0) sort(text, a, lt, gt, depth + 1);
                lo = gt;
            } else {
                sort(text, a, gt, hi, depth);
                if (pivot >= 0) sort(text, a, lt, gt, depth + 1);
                hi = lt;
            }
        }
    }

    private static int medianOfThree(int[] text, int[] a, int lo, int hi, int depth) {
        int x = text[a[lo] + depth], y = text[a[(lo + hi) >>> 1] + depth], z = text[a[hi - 1] + depth];
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }

    private static void insertionSort(int[] text, int[] a, int lo, int hi, int depth) {
        for (int i = lo + 1; i < hi; i++) {
            for (int j = i; j > lo && compare(text, a[j - 1], a[j], depth) > 0; j--) swap(a, j - 1, j);
        }
    }

    private static int compare(int[] text, int p, int q, int depth) {
        for (int k = depth; ; k++) {
            int x = text[p + k], y = text[q + k];
            if (x != y) return Integer.compare(x, y);
            if (x < 0) return 0; // the same separator: the same suffix
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

package org.knowcoder.tokenizer.spm;

import java.util.Arrays;

/**
 * A binary max-heap of candidate BPE merges in parallel primitive arrays: highest score on top,
 * the leftmost pair first among equal scores (SentencePiece's agenda order).
 */
final class PairHeap {
    private float[] score = new float[256];
    private int[] left = new int[256], right = new int[256], size = new int[256], merged = new int[256];
    int count;

    void clear() {
        count = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int topLeft() {
        return left[0];
    }

    int topRight() {
        return right[0];
    }

    int topSize() {
        return size[0];
    }

    int topMerged() {
        return merged[0];
    }

    void push(float s, int l, int r, int n, int m) {
        if (count == score.length) grow();
        int i = count++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(s, l, score[parent], left[parent])) break;
            move(parent, i);
            i = parent;
        }
        set(i, s, l, r, n, m);
    }

    void pop() {
        int last = --count;
        if (last == 0) return;
        float s = score[last];
        int l = left[last], r = right[last], n = size[last], m = merged[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) break;
            if (child + 1 < last && before(score[child + 1], left[child + 1], score[child], left[child])) child++;
            if (!before(score[child], left[child], s, l)) break;
            move(child, i);
            i = child;
        }
        set(i, s, l, r, n, m);
    }

    private static boolean before(float s1, int l1, float s2, int l2) {
        return s1 > s2 || (s1 == s2 && l1 < l2);
    }

    private void move(int from, int to) {
        set(to, score[from], left[from], right[from], size[from], merged[from]);
    }

    private void set(int i, float s, int l, int r, int n, int m) {
        score[i] = s;
        left[i] = l;
        right[i] = r;
        size[i] = n;
        merged[i] = m;
    }

    private void grow() {
        int n = score.length * 2;
        score = Arrays.copyOf(score, n);
        left = Arrays.copyOf(left, n);
        right = Arrays.copyOf(right, n);
        size = Arrays.copyOf(size, n);
        merged = Arrays.copyOf(merged, n);
    }
}

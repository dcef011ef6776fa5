package org.knowcoder.tokenizer.spm;

import java.util.Arrays;

/** A set of small non-negative ints in insertion order, cleared in O(size): the pairs one BPE merge touched. */
final class IntSet {
    private int[] items = new int[64];
    private int size;
    private boolean[] member = new boolean[64];

    void add(int x) {
        if (x >= member.length) member = Arrays.copyOf(member, Math.max(x + 1, member.length * 2));
        if (member[x]) return;
        member[x] = true;
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        items[size++] = x;
    }

    /** The members, in insertion order (a fresh array). */
    int[] keys() {
        return Arrays.copyOf(items, size);
    }

    void clear() {
        for (int i = 0; i < size; i++) member[items[i]] = false;
        size = 0;
    }
}

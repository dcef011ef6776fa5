package org.knowcoder.tokenizer.spm;

/**
 * An open-addressing hash map from long keys to non-negative int values (absent: -1), for the trie
 * edges and BPE merge pairs: no boxing on the encoding path.
 */
final class LongIntMap {
    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        java.util.Arrays.fill(values, -1);
        mask = capacity - 1;
    }

    int get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v < 0 || keys[i] == key) return v;
        }
    }

    /** Stores {@code value} (at least 0) under {@code key}, replacing an earlier value. */
    void put(long key, int value) {
        if (2 * (size + 1) > keys.length) grow();
        int i = slot(key);
        while (values[i] >= 0 && keys[i] != key) i = (i + 1) & mask;
        if (values[i] < 0) size++;
        keys[i] = key;
        values[i] = value;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        java.util.Arrays.fill(values, -1);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) if (oldValues[i] >= 0) put(oldKeys[i], oldValues[i]);
    }
}

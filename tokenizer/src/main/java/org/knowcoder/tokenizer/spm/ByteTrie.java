package org.knowcoder.tokenizer.spm;

import java.nio.charset.StandardCharsets;

/**
 * A trie over UTF-8 byte strings with an int value per key: the user-defined symbol matcher and
 * the Unigram lattice's piece lookup. Edges live in one hash map keyed by (node, byte).
 */
final class ByteTrie {
    static final int NO_NODE = -1;

    private final LongIntMap edges;
    private int[] values = new int[64];
    private int nodes = 1;

    ByteTrie(int expectedKeys) {
        edges = new LongIntMap(expectedKeys * 4);
        java.util.Arrays.fill(values, -1);
    }

    void put(String key, int value) {
        int node = 0;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int next = child(node, b);
            if (next == NO_NODE) {
                next = nodes++;
                if (next == values.length) {
                    values = java.util.Arrays.copyOf(values, next * 2);
                    java.util.Arrays.fill(values, next, values.length, -1);
                }
                edges.put(edgeKey(node, b), next);
            }
            node = next;
        }
        values[node] = value;
    }

    /** The node reached from {@code node} over byte {@code b}, or {@link #NO_NODE}. */
    int child(int node, byte b) {
        return edges.get(edgeKey(node, b));
    }

    /** The value stored at {@code node}, or -1 when no key ends there. */
    int value(int node) {
        return values[node];
    }

    static int root() {
        return 0;
    }

    /** The byte length of the longest key that prefixes {@code input[from, to)}, or 0. */
    int longestPrefix(byte[] input, int from, int to) {
        int node = 0, best = 0;
        for (int i = from; i < to; i++) {
            node = child(node, input[i]);
            if (node == NO_NODE) break;
            if (values[node] >= 0) best = i + 1 - from;
        }
        return best;
    }

    private static long edgeKey(int node, byte b) {
        return (long) node << 8 | (b & 0xFF);
    }
}

package org.knowcoder.ie.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A choice among names (classes, argument classes, roles) byte by byte. Each node knows which of
 * the first 64 names lie below it, so a choice that excludes some (roles an event already has)
 * prunes a prefix as soon as nothing it could become is left.
 */
final class NameTrie {
    static final int ROOT = 0, NONE = -1;

    private final Map<Integer, Integer> children = new HashMap<>();
    private final List<Integer> terminal = new ArrayList<>(List.of(NONE));
    private final List<Long> below = new ArrayList<>(List.of(0L));
    private final int size;

    NameTrie(List<String> names) {
        size = names.size();
        for (int i = 0; i < names.size(); i++) {
            int node = ROOT;
            long bit = i < 64 ? 1L << i : 0;
            below.set(ROOT, below.get(ROOT) | bit);
            for (byte b : names.get(i).getBytes(StandardCharsets.UTF_8)) {
                int key = node * 256 + (b & 0xFF);
                Integer child = children.get(key);
                if (child == null) {
                    child = terminal.size();
                    terminal.add(NONE);
                    below.add(0L);
                    children.put(key, child);
                }
                node = child;
                below.set(node, below.get(node) | bit);
            }
            if (terminal.get(node) == NONE) terminal.set(node, i);
        }
    }

    int size() {
        return size;
    }

    int child(int node, int b) {
        Integer c = children.get(node * 256 + b);
        return c == null ? NONE : c;
    }

    /** The index of the name ending at {@code node}, or NONE. */
    int terminal(int node) {
        return terminal.get(node);
    }

    /** Whether a name not in {@code excluded} (bits of the first 64 names) ends at or below {@code node}; later names are never excluded. */
    boolean live(int node, long excluded) {
        return size > 64 || (below.get(node) & ~excluded) != 0;
    }
}

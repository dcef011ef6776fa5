package org.knowcoder.ie.trainingdata;

import java.util.HashSet;
import java.util.Set;

/** A row of the Table-15-like summary: distinct types, instances, samples, tokens and bytes of one task. */
final class TaskStats {
    final Set<String> types = new HashSet<>();
    long instances, samples, tokens, bytes;

    void add(Item item) {
        types.addAll(item.types());
        instances += item.instances();
        samples++;
        tokens += item.ids() == null ? 0 : item.ids().length;
        bytes += item.bytes();
    }
}
